"""Text to what the acoustic model reads: speakable sentences and their token ids, and how they are grouped."""

import logging
from typing import List, Optional, Tuple

from TTS.inference.checks import SynthesisError
from TTS.tts.utils.text.sentences import is_speakable, split_into_sentences

logger = logging.getLogger("TTS.utils.synthesizer")  # the name Coqui's users and the benchmarks filter on


def token_ids_of(tokenizer, sentence: str, language: Optional[str]) -> Tuple[List[int], List[str]]:
    """Ids of a sentence, or no ids and the unknown characters when nothing of it can be spoken."""
    processed = tokenizer.process(sentence, language)
    if not any(char in tokenizer.characters and is_speakable(char) for char in processed):
        return [], [char for char in dict.fromkeys(processed) if char not in tokenizer.characters]
    return tokenizer.phonemes_to_ids(processed), []


def decode_groups(count: int, batch_size: int, workers: int) -> List[List[int]]:
    """Sentence indices decoded (and then vocoded) together, in text order.

    ``batch_size`` > 1: all of them in one ``synthesize_mels`` call (its batches by length), as
    ever. One by one: the first alone, so that its audio comes first, then ``workers`` at a time
    (Griffin-Lim in threads); a sentence decoded alone gives the same mel in any group.
    """
    if batch_size > 1:
        return [list(range(count))]
    return [[0]] + [list(range(i, min(i + workers, count))) for i in range(1, count, workers)]


def sentences_and_tokens(
    tokenizer, text: str, language: Optional[str], split_sentences: bool, *, warn: bool = True
) -> Tuple[List[str], List[List[int]]]:
    """The speakable sentences of ``text`` and their token ids; ``SynthesisError`` when there are none."""
    if split_sentences:
        sentences = split_into_sentences(text, language)
    else:
        sentences = [" ".join(text.split())] if is_speakable(text) else []
    if not sentences:
        what = "empty" if not text.strip() else "only punctuation and spaces"
        raise SynthesisError(f"nothing to synthesise: the text is {what}")
    spoken, token_ids, skipped, unknown = [], [], [], []
    for sentence in sentences:
        ids, missing = token_ids_of(tokenizer, sentence, language)
        if ids:
            spoken.append(sentence)
            token_ids.append(ids)
        else:
            skipped.append(sentence)
            unknown.extend(missing)
    if not token_ids:
        chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in dict.fromkeys(unknown) if not c.isspace())
        raise SynthesisError(
            f"nothing to synthesise: no character of the text is in the model's vocabulary (unknown: {chars})"
        )
    for sentence in skipped if warn else ():
        logger.warning("skipping sentence %r: none of its characters is in the model's vocabulary", sentence)
    return spoken, token_ids
