"""Cleaners and English normalisation: Coqui's outputs on the fixture sentence, and the tricky cases."""

import json

import pytest

from TTS.config.errors import ConfigError
from TTS.tts.utils.text import cleaners
from TTS.tts.utils.text.cleaners import CLEANERS, get_cleaner
from TTS.tts.utils.text.english.number_norm import expand_percent, normalize_numbers
from TTS.tts.utils.text.english.time_norm import expand_time_english

SENTENCE = "Dr. Smith paid $5 for 3 apples; that's 12% off!"


@pytest.mark.parametrize(
    "cleaner, lang, expected",
    [
        ("phoneme_cleaners", "en", "doctor Smith paid five dollars for three apples, that's twelve% off!"),
        ("english_cleaners", "en", "doctor smith paid five dollars for three apples, that's twelve% off!"),
        # no language: the abbreviation stays, numbers and currency are still expanded
        ("phoneme_cleaners", None, "Dr. Smith paid five dollars for three apples, that's twelve% off!"),
        ("english_cleaners", None, "dr. smith paid five dollars for three apples, that's twelve% off!"),
        ("english_cleaners_plus", None, "doctor smith paid five dollars for three apples, that's twelve percent off!"),
        ("english_cleaners_plus", "en", "doctor smith paid five dollars for three apples, that's twelve percent off!"),
    ],
)
def test_fixture_sentence(cleaner, lang, expected):
    assert CLEANERS[cleaner](SENTENCE, lang=lang) == expected


@pytest.mark.parametrize("folder", ["a_ljspeech_ddc", "b_tacotron2_r2"])
def test_fixture_cleaned_texts(coqui_fixtures, folder):
    config = json.loads((coqui_fixtures / folder / "config.json").read_text())
    refs = json.loads((coqui_fixtures / folder / "refs.json").read_text())
    cleaner = get_cleaner(config["text_cleaner"])
    for entry in refs["texts"]:
        assert cleaner(entry["text"], lang=entry["language"].split("-")[0]) == entry["cleaned"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1st 2nd 3rd 21st 103rd", "first second third twenty-first one hundred third"),
        ("3.14 and -2.5", "three point one four and minus two point five"),
        (
            "$5.50 £1.01 €0.99 $1 $2.5",
            "five dollars fifty cents one pound one penny ninety-nine cents one dollar two dollars fifty cents",
        ),
        ("$1,000,000 or $5 million", "one million dollars or five million dollars"),
        (
            "1,234,567 and 101",
            "one million, two hundred thirty-four thousand, five hundred sixty-seven and one hundred one",
        ),
        # 1001-2999 read as years, as Coqui does
        (
            "1234 1999 2005 2000 1900 1905",
            "twelve thirty-four nineteen ninety-nine two thousand five two thousand nineteen hundred nineteen oh five",
        ),
        ("covid-19 2-3 -7", "covid-nineteen two-three minus seven"),
    ],
)
def test_normalize_numbers(text, expected):
    assert normalize_numbers(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("at 3:30pm", "at three thirty p m"),
        ("at 15:05 or", "at three oh five p m or"),
        ("at 9:00 a.m.", "at nine a m"),
        ("at 0:00", "at twelve a m"),
        ("10:15 amazing", "ten fifteen a m amazing"),
    ],
)
def test_time(text, expected):
    assert expand_time_english(text) == expected


def test_percent_only_in_plus_cleaner():
    assert expand_percent("12% and 12.5 %") == "12 percent and 12.5 percent"
    assert cleaners.english_cleaners("12.5% off") == "twelve point five% off"
    assert cleaners.english_cleaners_plus("12.5% off") == "twelve point five percent off"


def test_plus_cleaner_symbols_and_typography():
    text = "\u201cCurly\u201d \u2014 it\u2019s #1: A&B, 1+1=2, 20\u00b0C, me@x"
    assert cleaners.english_cleaners_plus(text) == (
        "curly, it's number one, a and b, one plus one equals two, twenty degrees celsius, me at x"
    )


def test_abbreviations_by_language():
    text = "Mr. and Mrs. Jones of St. Louis met Capt. Kirk."
    assert cleaners.english_cleaners(text, lang="en") == "mister and misess jones of saint louis met captain kirk."
    assert cleaners.english_cleaners(text, lang=None) == "mr. and mrs. jones of st. louis met capt. kirk."
    assert cleaners.english_cleaners(text, lang="en-us") == cleaners.english_cleaners(text, lang="en")
    assert cleaners.french_cleaners("M. Dupont et Mme Roux, av. J.-C. etc.") == (
        "monsieur dupont et madame roux, avant jésus christ et cetera"
    )


def test_whitespace_and_symbols():
    assert cleaners.basic_cleaners("  Lots   of\n\tSPACE  ") == "lots of space"
    assert cleaners.english_cleaners('a "quoted" (aside) [x] - b') == "a quoted aside x b"
    assert cleaners.english_cleaners("salt & pepper", lang="en") == "salt and pepper"
    assert cleaners.multilingual_cleaners("Sel & Poivre; oui", lang="fr") == "sel et poivre, oui"
    assert cleaners.multilingual_phoneme_cleaners("Sel & Poivre; oui", lang="fr") == "Sel & Poivre, oui"
    assert cleaners.multilingual_cleaners("İstanbul", lang="tr") == "istanbul"


def test_transliteration():
    text = "Café Ångström Straße Łódź \u201chi\u201d"
    assert cleaners.transliteration_cleaners(text) == 'cafe angstrom strasse lodz "hi"'


def test_combining_accents_are_composed():
    assert cleaners.basic_cleaners("Cafe\u0301") == "cafe\u0301"  # basic_cleaners leaves the text as is
    assert cleaners.english_cleaners("Cafe\u0301") == "caf\u00e9"


def test_unknown_cleaner_names_the_field():
    with pytest.raises(ConfigError, match="text_cleaner") as err:
        get_cleaner("englsh_cleaners")
    assert "english_cleaners" in str(err.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Priya lives at 264 Elm St., not far from St. Louis.",
         "priya lives at two hundred sixty four elm street, not far from saint louis."),
        ("Room No. 12 is free, e.g. for Ms. Lee vs. Prof. Hughes.",
         "room number twelve is free, for example for miz lee versus professor hughes."),
        ("Meet at 7:30 a.m. sharp.", "meet at seven thirty a m sharp."),
        ("The train leaves at 8 p.m.", "the train leaves at eight p m."),
        ("At 6:45 P.M. It rained.", "at six forty five p m. it rained."),
        ("Open 9am to 5pm on Jan. 3rd, etc.", "open nine a m to five p m on january third, et cetera."),
        ("I am here at 5 am.", "i am here at five a m."),
    ],
)  # fmt: skip
def test_english_cleaners_plus_reads_context_abbreviations_and_keeps_the_full_stop(text, expected):
    assert cleaners.english_cleaners_plus(text) == expected


def test_the_extra_abbreviations_stay_out_of_coquis_cleaner():
    assert cleaners.english_cleaners("Ms. Lee, e.g. at 8 p.m.", "en") == "ms. lee, e.g. at eight p.m."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("He ate 3/4 of it, 1/2 an hour, 2/3 or 1/10.", "he ate three quarters of it, one half an hour, two thirds or one tenth."),
        ("Add 1 1/2 cups, 3½ spoons and ½ pinch.", "add one and one half cups, three and a half spoons and a half pinch."),
        ("It's 50/50, open 24/7, on 12/03/2024.", "it's fifty fifty, open twenty four seven, on twelve three twenty twenty four."),
        ("Version 2.0.1 of 3.14.", "version two point zero point one of three point one four."),
        ("2.5 kg, 1 km, 3 lbs, 60 mph, 100 km/h, 2 GB.", "two point five kilograms, one kilometer, three pounds, sixty miles per hour, "
         "one hundred kilometers per hour, two gigabytes."),
        ("The 1990s, the '80s, the 70s, the 1800s.", "the nineteen nineties, the eighties, the seventies, the eighteen hundreds."),
        ("5 m, 5 g, 100s, 11/12 and 7/3.", "five m, five g, one hundreds, eleven twelve and seven three."),  # left alone
    ],
    ids=["fractions", "mixed-and-vulgar", "slashed", "versions", "units", "decades", "ambiguous"],
)  # fmt: skip
def test_english_cleaners_plus_reads_fractions_versions_units_and_decades(text, expected):
    assert cleaners.english_cleaners_plus(text) == expected


def test_coquis_english_cleaners_keep_their_readings_of_fractions_and_units():
    """Coqui checkpoints were trained on these readings: only the plus cleaner changes them."""
    assert cleaners.english_cleaners("3/4 of 2.5 kg in the 1990s") == "three/four of two point five kg in the nineteen ninetys"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Back at 10:30:15, ran 2:05:30, open until 24:00.",
         "back at ten hours thirty minutes fifteen seconds, ran two hours five minutes thirty seconds, open until midnight."),
        ("A $5k loan, a €2.5bn deal, £3m and $1.5m.",
         "a five thousand dollars loan, a two point five billion euros deal, three million pounds and one point five million dollars."),
        ("Wait 5-10 minutes, read pages 10–12 or 1990 – 2000.",
         "wait five to ten minutes, read pages ten to twelve or nineteen ninety to two thousand."),
        ("Call 555-1234, COVID-19, 10-5=5, 2024-01-15, zip 02139-4307.",
         "call five hundred fifty five twelve thirty four, covid nineteen, ten five equals five, twenty twenty four one fifteen, "
         "zip twenty one thirty nine four thousand, three hundred seven."),
        ("It was 3‰.", "it was three per mille."),
        ("World War II, Chapter IV, Henry VIII, Louis XIV, Henry V.",
         "world war two, chapter four, henry the eighth, louis the fourteenth, henry the fifth."),
        ("Then I saw Malcolm X in Washington DC, size XL, Elizabeth I.",
         "then i saw malcolm x in washington dc, size xl, elizabeth i."),  # left alone
    ],
    ids=["times", "money-scales", "ranges", "not-ranges", "per-mille", "roman", "not-roman"],
)  # fmt: skip
def test_english_cleaners_plus_reads_times_money_scales_ranges_and_roman_numerals(text, expected):
    assert cleaners.english_cleaners_plus(text) == expected


def test_coquis_cleaners_keep_their_readings_of_times_ranges_and_roman_numerals():
    assert (
        cleaners.english_cleaners("At 10:30:15, 5-10 in World War II")
        == "at ten,thirty,fifteen, five ten in world war ii"
    )
