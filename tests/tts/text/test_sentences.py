"""Long sentences are cut into pieces short enough for the decoder's step limit."""

from TTS.tts.utils.text.sentences import MAX_SENTENCE_CHARS, split_into_sentences

WORDS = "the quick brown fox jumps over the lazy dog while the sleepy cat watches from the old wooden fence".split()


def _run_on(length: int, separator: str = " ") -> str:
    text, index = "", 0
    while len(text) < length:
        text += (separator if text else "") + WORDS[index % len(WORDS)]
        index += 1
    return text


def test_long_text_without_punctuation_is_cut_between_words():
    text = _run_on(671)
    pieces = split_into_sentences(text, "en")
    assert len(pieces) > 1
    assert all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)
    assert " ".join(pieces).split() == text.split()


def test_long_text_with_commas_is_cut_after_a_comma():
    text = _run_on(671, separator=", ") + "."
    pieces = split_into_sentences(text, "en")
    assert all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)
    assert all(piece.endswith((",", ".")) for piece in pieces)
    assert " ".join(pieces) == text


def test_clause_marks_come_before_commas():
    clause = "one, two, three, four, five, six, seven, eight"
    text = f"{clause}; {clause}: {clause}; {clause}."
    pieces = split_into_sentences(text, "en", max_chars=100)
    assert pieces == [f"{clause}; {clause}:", f"{clause}; {clause}."]


def test_a_word_longer_than_the_limit_stays_whole():
    word = "x" * 40
    assert split_into_sentences(f"a {word} b", max_chars=30) == ["a", word, "b"]


def test_short_sentences_are_unchanged():
    text = "Dr. Smith arrived, late as usual; nobody minded. Then we left!"
    assert split_into_sentences(text, "en") == ["Dr. Smith arrived, late as usual; nobody minded.", "Then we left!"]


def test_a_numbered_list_item_is_not_a_sentence_of_its_own():
    text = "Steps:\n1. Open the lid.\n2. Pour the water.\n\n3. Wait."
    assert split_into_sentences(text, "en") == ["Steps: 1. Open the lid.", "2. Pour the water.", "3. Wait."]


def test_a_number_inside_a_line_still_ends_a_sentence():
    assert split_into_sentences("I have 3. You have 4.", "en") == ["I have 3.", "You have 4."]
