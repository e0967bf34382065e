"""Tokenizer, vocabularies and phonemizer against the Coqui fixtures (token ids must match exactly)."""

import json
import logging
import re

import numpy as np
import pytest

from TTS.config import load_config
from TTS.config.errors import ConfigError
from TTS.tts.configs.shared_configs import CharactersConfig
from TTS.tts.utils.text.characters import (
    IPA_CHARACTERS,
    Graphemes,
    IPAPhonemes,
    characters_from_config,
)
from TTS.tts.utils.text.cleaners import english_cleaners
from TTS.tts.utils.text.phonemizers import UnsupportedLanguageError, espeak_version, get_phonemizer_by_name
from TTS.tts.utils.text.phonemizers import espeak as espeak_module
from TTS.tts.utils.text.phonemizers.scripts import foreign_words
from TTS.tts.utils.text.tokenizer import TTSTokenizer, UnknownCharacterError

FIXTURES = ["a_ljspeech_ddc", "b_tacotron2_r2"]


def _load(coqui_fixtures, folder, name="config.json"):
    config = load_config(str(coqui_fixtures / folder / name))
    refs = json.loads((coqui_fixtures / folder / "refs.json").read_text(encoding="utf-8"))
    arrays = np.load(coqui_fixtures / folder / "refs.npz")
    return config, refs, arrays


@pytest.mark.parametrize("folder", FIXTURES)
def test_fixture_token_ids(coqui_fixtures, folder):
    config, refs, arrays = _load(coqui_fixtures, folder)
    tokenizer, new_config = TTSTokenizer.init_from_config(config)
    assert tokenizer.characters.vocab == refs["vocab"]
    assert new_config.num_chars == len(refs["vocab"])
    language = config.languages[0]
    for i, entry in enumerate(refs["texts"]):
        assert entry["language"] == language
        assert tokenizer.text_to_ids(entry["text"], language=language) == arrays[f"ids_{i}"].tolist()
        if "token_ids_language_none" in entry:
            assert tokenizer.text_to_ids(entry["text"]) == entry["token_ids_language_none"]
            assert entry["token_ids_language_none"] != arrays[f"ids_{i}"].tolist()


def test_recorded_phonemes_to_ids(coqui_fixtures):
    config, refs, arrays = _load(coqui_fixtures, "a_ljspeech_ddc")
    tokenizer, _ = TTSTokenizer.init_from_config(config)
    for i, entry in enumerate(refs["texts"]):
        ids = tokenizer.phonemes_to_ids(entry["phonemes"])
        assert ids == arrays[f"ids_{i}"].tolist()
        assert tokenizer.ids_to_text(ids) == entry["decoded"]


def test_default_vocabularies(coqui_fixtures):
    config = json.loads((coqui_fixtures / "a_ljspeech_ddc" / "config.json").read_text(encoding="utf-8"))
    assert IPA_CHARACTERS == config["characters"]["characters"]
    assert IPAPhonemes().num_chars == 132
    graphemes = Graphemes()
    assert graphemes.num_chars == 67
    assert graphemes.vocab[:5] == ["<PAD>", "<EOS>", "<BOS>", "<BLNK>", "A"]
    assert (graphemes.pad_id, graphemes.eos_id, graphemes.bos_id, graphemes.blank_id) == (0, 1, 2, 3)
    no_specials = Graphemes(pad=None, eos="", bos=None, blank=None, characters="cba", punctuations=".")
    assert no_specials.vocab == ["a", "b", "c", "."]
    unsorted = Graphemes(characters="cbab", punctuations=" ", is_sorted=False, is_unique=True)
    assert unsorted.vocab[4:] == ["c", "b", "a", " "]


def test_recipe_config_rebuilds_the_ipa_vocabulary(coqui_fixtures):
    config, refs, _ = _load(coqui_fixtures, "a_ljspeech_ddc", "config_recipe_flow.json")
    assert config.characters is None and config.num_chars == 0 and config.phonemizer is None
    tokenizer, new_config = TTSTokenizer.init_from_config(config)
    assert tokenizer.characters.vocab == refs["vocab"]
    assert new_config.characters.characters_class == "TTS.tts.utils.text.characters.IPAPhonemes"
    assert new_config.num_chars == 132
    assert new_config.phonemizer == "espeak"
    assert config.characters is None  # the given config is not modified
    written, _, _ = _load(coqui_fixtures, "a_ljspeech_ddc")
    assert new_config.characters.to_dict() == written.characters.to_dict()


@pytest.mark.parametrize("cls", [IPAPhonemes, Graphemes])
def test_characters_config_round_trip(cls):
    characters = cls(pad="_", blank=None, characters="zyx" if cls is Graphemes else IPA_CHARACTERS)
    stored = CharactersConfig()
    stored.from_dict(json.loads(json.dumps(characters.to_config().to_dict())))
    rebuilt, rebuilt_config = characters_from_config(stored, use_phonemes=cls is Graphemes)  # the class decides
    assert type(rebuilt) is cls
    assert rebuilt.vocab == characters.vocab
    assert rebuilt_config.to_dict() == characters.to_config().to_dict()


def test_unknown_characters_class_names_the_field():
    with pytest.raises(ConfigError, match=r"characters\.characters_class"):
        characters_from_config(CharactersConfig(characters_class="os.system"), use_phonemes=False)


def test_legacy_phonemes_field():
    config = CharactersConfig(characters_class="IPAPhonemes", characters="abc", phonemes="əɪ", punctuations=".")
    characters, _ = characters_from_config(config, use_phonemes=True)
    assert characters.vocab == ["ə", "ɪ", "."]  # sorted by code point, no special symbols set


def _grapheme_tokenizer(**kwargs):
    return TTSTokenizer(characters=Graphemes(), text_cleaner=english_cleaners, **kwargs)


def test_add_blank_and_eos_bos():
    chars = Graphemes()
    a, b, blank, bos, eos = chars.char_to_id("a"), chars.char_to_id("b"), chars.blank_id, chars.bos_id, chars.eos_id
    assert _grapheme_tokenizer().text_to_ids("AB") == [a, b]
    assert _grapheme_tokenizer(add_blank=True).text_to_ids("AB") == [blank, a, blank, b, blank]
    assert _grapheme_tokenizer(use_eos_bos=True).text_to_ids("AB") == [bos, a, b, eos]
    both = _grapheme_tokenizer(add_blank=True, use_eos_bos=True)
    assert both.text_to_ids("AB") == [bos, blank, a, blank, b, blank, eos]
    assert both.phonemes_to_ids("ab") == both.text_to_ids("AB")
    assert both.decode(both.text_to_ids("AB")) == "<BOS><BLNK>a<BLNK>b<BLNK><EOS>"
    with pytest.raises(ConfigError, match="add_blank"):
        TTSTokenizer(characters=Graphemes(blank=None), add_blank=True)


def test_config_flags_reach_the_tokenizer(coqui_fixtures):
    config, _, _ = _load(coqui_fixtures, "b_tacotron2_r2")
    config.add_blank, config.enable_eos_bos_chars = True, True
    tokenizer, _ = TTSTokenizer.init_from_config(config)
    ids = tokenizer.text_to_ids("Hi")
    assert ids[0] == tokenizer.characters.bos_id and ids[-1] == tokenizer.characters.eos_id
    assert ids[1::2] == [tokenizer.blank_id] * 3


def test_unknown_characters_warn_once_per_character(caplog):
    tokenizer = _grapheme_tokenizer()
    with caplog.at_level(logging.WARNING, logger="TTS.tts.utils.text.tokenizer"):
        assert tokenizer.text_to_ids("a%b") == tokenizer.text_to_ids("ab")
        tokenizer.text_to_ids("50%, 10% and 5% off ~ ok")
        tokenizer.text_to_ids("~ again ~")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "'%' (U+0025)" in warnings[0]
    assert "'~' (U+007E)" in warnings[1]
    assert tokenizer.unknown_characters("Café ~ 5%") == ["é", "~", "%"]


def test_unknown_characters_error():
    tokenizer = _grapheme_tokenizer(unknown_chars="error")
    with pytest.raises(UnknownCharacterError, match=re.escape("'%' (U+0025)")) as err:
        tokenizer.text_to_ids("12% off")
    assert isinstance(err.value, ValueError)
    assert "twelve% off" in str(err.value)
    with pytest.raises(ConfigError, match="unknown_chars"):
        _grapheme_tokenizer(unknown_chars="drop")


def test_unknown_cleaner_in_config(coqui_fixtures):
    config, _, _ = _load(coqui_fixtures, "b_tacotron2_r2")
    config.text_cleaner = "no_such_cleaner"
    with pytest.raises(ConfigError, match="text_cleaner"):
        TTSTokenizer.init_from_config(config)


def test_phonemizer_cache(monkeypatch):
    phonemizer = get_phonemizer_by_name("espeak", "en-us")
    backend = espeak_module._backend("en-us")
    calls = []
    original = backend.phonemize

    def counting(texts, *args, **kwargs):
        calls.append(list(texts))
        return original(texts, *args, **kwargs)

    monkeypatch.setattr(backend, "phonemize", counting)
    first = phonemizer.phonemize("Hello world.")
    assert first == "həlˈoʊ wˈɜːld."
    assert phonemizer.phonemize("Hello world.") == first
    assert len(calls) == 1
    assert phonemizer.phonemize_many(["Hello world.", "Good day.", "Good day."]) == [first, "ɡˈʊd dˈeɪ.", "ɡˈʊd dˈeɪ."]
    assert calls == [["Hello world."], ["Good day."]]
    assert espeak_module._backend("en-us") is backend  # one backend per language, reused
    # empty texts do not shift the batch (phonemizer drops empty lines from its output)
    assert phonemizer.phonemize_many(["", "Good day.", " ", "Hello world."]) == ["", "ɡˈʊd dˈeɪ.", "", first]
    assert len(calls) == 2


def test_no_word_is_dropped_when_espeak_splits_a_text_in_two():
    """In Spanish, espeak ends a clause at the dot of "1.5": phonemizer returns two lines for one text."""
    phonemizer = get_phonemizer_by_name("espeak", "es")
    alone = phonemizer.phonemize("Tiene 1.5 euros y más.")
    assert alone.startswith("tjˈene ˈuno") and alone.endswith("i mˈas"), alone  # "y más" was lost
    batch = phonemizer.phonemize_many(["Hola.", "Tiene 2.5 euros y más.", "Adiós."])
    assert batch[0] == "ˈola." and batch[1].endswith("i mˈas") and batch[2] == "aðjˈos.", batch


@pytest.mark.parametrize(
    "language, text, expected",
    [
        ("es", "Hay 10.000 personas aquí.", "ˈaɪ ðjˈɛθ mˈil peɾsˈonas akˈi."),  # was "ˈaɪ ðjˈɛθ." and no more
        ("es", "Son 1.234,56 euros.", "sˈon mˈil ðosθjˈentos tɾˌeɪntaikwˈatɾo kˌoma θinkwˌɛntaisˈeɪs ˈeʊɾos."),
        ("de", "Es kostet 1.000 Euro.", "ɛs kˈɔstət ˈaɪn tˈaʊzənt ˈɔøroː."),
    ],
)
def test_thousands_grouped_with_dots_are_read_as_one_number(language, text, expected):
    assert get_phonemizer_by_name("espeak", language).phonemize(text) == expected


def test_phonemizer_errors_and_version():
    with pytest.raises(UnsupportedLanguageError, match="'xx-yy'"):
        get_phonemizer_by_name("espeak", "xx-yy")
    with pytest.raises(ConfigError, match="phonemizer"):
        get_phonemizer_by_name("festival", "en-us")
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", espeak_version())


def test_text_outside_the_language_script_warns_once_and_keeps_the_phonemes(caplog):
    phonemizer = get_phonemizer_by_name("espeak", "en-us")
    backend = espeak_module._backend("en-us")
    expected = backend.phonemize(["Привет мир!", "你好"], strip=True, njobs=1)
    with caplog.at_level(logging.WARNING, logger="TTS.tts.utils.text.phonemizers.espeak"):
        assert phonemizer.phonemize_many(["Привет мир!", "你好"]) == expected
        phonemizer.phonemize("Hello, café in Zürich, naïve 42%.")  # Latin letters with accents: no warning
        phonemizer.phonemize("Again мир.")  # a word already named: no second warning
    warnings = [r.getMessage() for r in caplog.records if r.name == espeak_module.__name__]
    assert warnings == [
        "text 'Привет мир 你好' is not in the script of en-us: espeak reads it as another language "
        "(the words are spoken as letter names or in a foreign accent)"
    ]


@pytest.mark.parametrize(
    "language, text, words",
    [
        ("ru", "Привет, мир! Hello", ["Hello"]),
        ("cmn", "你好 world", ["world"]),
        ("ja", "こんにちは カタカナ 漢字", []),
        ("sr", "Здраво zdravo", []),
        ("fr-fr", "Ça va, l'été ?", []),
        ("el", "Γειά σου κόσμε", []),
        ("es", "El 1º de mayo, la 3ª vez", []),  # ordinal indicators are Latin letters
    ],
)
def test_foreign_words_by_script(language, text, words):
    assert foreign_words(text, language) == words
