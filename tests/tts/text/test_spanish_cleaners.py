"""spanish_cleaners_plus: the forms Coqui's multilingual_phoneme_cleaners leave to espeak-ng misread, in words."""

import pytest

from TTS.tts.utils.text.cleaners import get_cleaner, multilingual_phoneme_cleaners, spanish_cleaners_plus
from TTS.tts.utils.text.spanish.number_norm import cardinal, ordinal, say_money, say_time


@pytest.mark.parametrize(
    "text, expected",
    [
        # times: Coqui's cleaner makes "10:30" "10,30", read "diez coma treinta"
        ("Nos vemos a las 10:30.", "Nos vemos a las diez y media."),
        ("Abre a la 1:15 h y cierra a las 20:00.", "Abre a la una y cuarto y cierra a las veinte horas."),
        ("A las 13:45 y a las 9:00.", "A las trece cuarenta y cinco y a las nueve en punto."),
        ("Son las 7:05.", "Son las siete y cinco."),
        # a minus that Coqui's cleaner turns into a space
        ("Hace -5 grados.", "Hace menos 5 grados."),
        ("Bajó a −12,5 grados.", "Bajó a menos 12,5 grados."),
        ("Del 5-10 de mayo.", "Del 5 a 10 de mayo."),
        # ordinals, with "primer"/"tercer" before a noun
        ("Vive en el 1º piso, la 3ª puerta.", "Vive en el primer piso, la tercera puerta."),
        ("El 1.º de mayo.", "El primero de mayo."),
        ("Quedó 21º.", "Quedó vigésimo primero."),
        ("La 22ª edición.", "La vigésima segunda edición."),
        # money, either side of the number, decimal comma or point, dotted thousands
        ("Cuesta 5 € o $2,50.", "Cuesta cinco euros o dos dólares con cincuenta centavos."),
        ("Pagué 21 € y 1 €.", "Pagué veintiún euros y un euro."),
        ("Son 1.500 USD.", "Son mil quinientos dólares."),
        ("Quedan 1.234,56 €.", "Quedan mil doscientos treinta y cuatro euros con cincuenta y seis céntimos."),
        ("Vale £1 o 21 £.", "Vale una libra o veintiuna libras."),
        ("Ganó 1.000.000 €.", "Ganó un millón de euros."),
        ("El 50 % votó.", "El 50 por ciento votó."),
        # nothing to do: left as Coqui's cleaner leaves it
        ("Tiene 24.300 habitantes y 3,5 hijos.", "Tiene 24.300 habitantes y 3,5 hijos."),
        ("La fecha 2024-05-01 queda.", "La fecha 2024 05 01 queda."),
    ],
)
def test_spanish_cleaners_plus_writes_out_times_money_ordinals_and_signs(text, expected):
    assert spanish_cleaners_plus(text, "es") == expected


def test_it_is_coquis_multilingual_phoneme_cleaner_where_there_is_nothing_to_write_out():
    for text in ("¿Dónde está la estación?", "Sal; y pimienta: 3 kilos (aprox.)"):
        assert spanish_cleaners_plus(text, "es") == multilingual_phoneme_cleaners(text, "es")
    assert spanish_cleaners_plus("A&B — «hola»", "es") == "A&B, hola"  # typography as english_cleaners_plus does
    assert get_cleaner("spanish_cleaners_plus") is spanish_cleaners_plus


def test_number_words_agree_with_their_noun():
    assert [cardinal(n, before_noun=True) for n in (1, 21, 31, 100)] == ["un", "veintiún", "treinta y un", "cien"]
    assert [cardinal(n, feminine=True) for n in (1, 21, 31)] == ["una", "veintiuna", "treinta y una"]
    assert [ordinal(n) for n in (1, 3, 10)] == ["primero", "tercero", "décimo"]
    assert ordinal(1, before_noun=True) == "primer" and ordinal(23, feminine=True) == "vigésima tercera"
    assert say_money("0,01", "€") == "cero euros con un céntimo"
    assert say_time(12, 0) == "doce en punto" and say_time(0, 30) == "cero y media"


def test_the_shipped_spanish_voice_reads_times_and_minus_signs_in_words(offline):
    from TTS.api import TTS

    tokenizer = TTS("tts_models/es/kumo/tacotron2-DDC", progress_bar=False).synthesizer.tts_model.tokenizer
    assert tokenizer.process("a las 10:30", "es") == tokenizer.process("a las diez y media", "es")
    assert tokenizer.process("hace -5 grados", "es") == tokenizer.process("hace menos cinco grados", "es")
