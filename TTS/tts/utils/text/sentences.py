"""Splitting text into sentences for synthesis, without breaking at abbreviations ("Dr. Smith").

Tacotron2 attends well over a sentence and drifts over a paragraph, so the Synthesizer
decodes one sentence at a time. A sentence ends at ``.``, ``!``, ``?`` or ``…`` (runs such
as ``?!`` or ``...`` included, with closing quotes and brackets) followed by a space and a
word that does not start in lowercase; a blank line always ends one; CJK full stops end one
without a space. A single ``.`` does not end a sentence after:

- a title or other abbreviation that comes before what it qualifies ("Dr.", "Mme.", "e.g.",
  "vs."), taken from the English and French abbreviation lists of the cleaners plus a few
  common ones;
- "No.", "p.", "fig." ... when a number follows ("No. 5");
- a single letter, when a capitalised word follows (initials: "J. R. R. Tolkien");
- a number that starts the text or a line: a list item ("1. Open the lid.");
- a dotted acronym ("U.S.", "p.m.", "Ph.D."): such a sentence is merged with the next one,
  which is harmless, where a wrong split would put a pause inside a sentence.

Abbreviations that often end a sentence ("etc.", "Ltd.", "Jr.") end one when a capitalised
word follows. Chunks made only of punctuation and spaces ("...", " - ") are dropped.

A sentence longer than ``MAX_SENTENCE_CHARS`` (a run-on text with only commas, or none) is
cut into pieces of at most that length, so that the decoder's step limit does not cut off its
end: first after ``;`` or ``:``, then after ``,``, then between words. Punctuation stays with
the piece it ends, and a word is never cut: a single word longer than the limit stays whole.
"""

import re
import unicodedata
from typing import FrozenSet, List, Optional

from TTS.tts.utils.text.english.abbreviations import ABBREVIATIONS_EN
from TTS.tts.utils.text.french.abbreviations import ABBREVIATIONS_FR

# Abbreviations that may end a sentence: followed by a capitalised word, they do.
SENTENCE_FINAL_ABBREVIATIONS = frozenset(
    {"etc", "co", "jr", "sr", "esq", "ltd", "inc", "corp", "j.-c", "qqch", "rdv", "max", "min", "excl"}
)
# Abbreviations that never end a sentence when a number follows, and are ordinary words otherwise ("said no.").
NUMBER_PREFIXES = frozenset({"no", "nos", "n", "p", "pp", "fig", "figs", "vol", "vols", "art", "ch", "sec", "eq"})
# Common abbreviations missing from the cleaners' lists (those only list what they expand).
COMMON_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "prof", "ms", "mt", "sr", "inc", "corp"}
)


def _last_tokens(abbreviations) -> FrozenSet[str]:
    """Lowercased abbreviations as they appear before a final dot ("av. J.-C" gives "av" and "j.-c")."""
    return frozenset(token.lower() for abbreviation, _ in abbreviations for token in abbreviation.split())


ABBREVIATIONS = {
    "en": _last_tokens(ABBREVIATIONS_EN) | COMMON_ABBREVIATIONS,
    "fr": _last_tokens(ABBREVIATIONS_FR) | COMMON_ABBREVIATIONS,
}

# A sentence-ending run of punctuation: Latin terminators need a space (or the end) after them,
# CJK ones do not.
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’»)\]}]*(?=\s|$)|[。！？]+[」』”’)）]*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_OPENERS = "\"'“‘«([{¿¡"
_WORD_BEFORE = re.compile(r"\S*$")
# the number of a list item: "1." at the start of the text or of a line
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\d{1,3}$")
_LONGEST_ABBREVIATION = 16  # characters looked at before a dot
# "U.S", "a.m", "Ph.D": merging two sentences there is harmless, a wrong split is not.
_DOTTED_ACRONYM = re.compile(r"^(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}$")

# Longest piece synthesised at once. The default English Tacotron2 speaks about 14 characters a
# second, so 250 characters are about 18 s of speech, half of what its decoder step limit allows
# (max_decoder_steps 1000 x r 3 frames of 11.6 ms: 34.8 s), leaving room for slower voices.
MAX_SENTENCE_CHARS = 250
# Where a long sentence may be cut, tried in order: after a clause mark, after a comma, between
# words. Latin marks need a space after them; CJK ones (no spaces between words) do not.
_CLAUSE_CUTS = (
    re.compile(r"[;:]\s+|[；：]\s*"),
    re.compile(r",\s+|[，、]\s*"),
    re.compile(r"\s+"),
)


def abbreviations_for(language: Optional[str]) -> FrozenSet[str]:
    """Abbreviations of ``language`` ("en", "fr-fr", ...); all known ones for None or another language."""
    base = (language or "").split("-")[0].lower()
    if base in ABBREVIATIONS:
        return ABBREVIATIONS[base]
    return frozenset().union(*ABBREVIATIONS.values())


def is_speakable(chunk: str) -> bool:
    """False for a chunk made only of punctuation and spaces."""
    return any(not unicodedata.category(char).startswith(("P", "Z", "C")) for char in chunk)


def _ends_sentence(text: str, start: int, end: int, abbreviations: FrozenSet[str]) -> bool:
    """Whether the terminator run ``text[start:end]`` ends a sentence."""
    terminator = text[start:end]
    if terminator[0] in "。！？":
        return True
    rest = text[end:].lstrip()
    if not rest:
        return True
    following = rest[0]
    if following.islower():
        return False
    if terminator.rstrip("\"'”’»)]}") != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, start - _LONGEST_ABBREVIATION), start).group(0).lstrip(_OPENERS).lower()
    if following.isdigit() and word in NUMBER_PREFIXES:
        return False
    if _LIST_NUMBER.search(text, max(0, start - _LONGEST_ABBREVIATION), start):
        return False
    if word in NUMBER_PREFIXES or word in SENTENCE_FINAL_ABBREVIATIONS:
        return True
    if word in abbreviations or _DOTTED_ACRONYM.match(word):
        return False
    if len(word) == 1 and word.isalpha():  # an initial
        return not following.isupper()
    return True


def _split_long(sentence: str, max_chars: int, level: int = 0) -> List[str]:
    """Cut ``sentence`` at the cuts of ``_CLAUSE_CUTS[level:]`` into pieces of at most ``max_chars``."""
    if len(sentence) <= max_chars or level == len(_CLAUSE_CUTS):
        return [sentence]
    cuts = [match.end() for match in _CLAUSE_CUTS[level].finditer(sentence)]
    parts = [sentence[begin:end] for begin, end in zip([0] + cuts, cuts + [len(sentence)])]
    pieces: List[str] = []
    current = ""
    for part in parts:  # greedily join the parts while they fit
        if current and len((current + part).strip()) > max_chars:
            pieces.append(current.strip())
            current = part
        else:
            current += part
    pieces.append(current.strip())
    return [short for piece in pieces if piece for short in _split_long(piece, max_chars, level + 1)]


def split_into_sentences(text: str, language: Optional[str] = None, max_chars: int = MAX_SENTENCE_CHARS) -> List[str]:
    """Split ``text`` into sentences, stripped, with chunks of only punctuation and spaces dropped.

    Parameters
    ----------
    text:
        Any amount of text.
    language:
        Language code of the text; picks the abbreviation list ("en", "fr"; None: all lists).
    max_chars:
        Sentences longer than this are cut into pieces of at most this many characters
        (a single longer word stays whole).

    Returns
    -------
    The sentences in order; empty for empty or unspeakable text.
    """
    abbreviations = abbreviations_for(language)
    sentences: List[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        begin = 0
        for match in _CANDIDATE.finditer(paragraph):
            if _ends_sentence(paragraph, match.start(), match.end(), abbreviations):
                sentences.append(paragraph[begin : match.end()])
                begin = match.end()
        sentences.append(paragraph[begin:])
    return [
        piece
        for sentence in sentences
        if is_speakable(sentence)
        for piece in _split_long(" ".join(sentence.split()), max_chars)
        if is_speakable(piece)
    ]
