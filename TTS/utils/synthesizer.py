"""Coqui's import path of the ``Synthesizer``, kept for its users: the code lives in ``TTS.inference``."""

from TTS.inference.checks import (
    DEVICES,
    AudioLimitError,
    SynthesisCancelled,
    SynthesisError,
    UnknownDeviceError,
    UnsupportedVocoderError,
    check_pipe_out,
    check_speakers_file,
    output_path_problem,
    parse_device,
)
from TTS.inference.loading import load_synthesis_config, vocoder_support_problem
from TTS.inference.synthesizer import (
    MAX_SECONDS_PER_TOKEN,
    MIN_SECONDS_PER_SENTENCE,
    MIN_SECONDS_PER_TOKEN,
    SENTENCE_PAUSE_S,
    STEP_LIMIT_WARNING,
    TEXT_END_NOTE,
    DecodedSentence,
    Synthesizer,
)
from TTS.vocoder.models.model_vocoder import NORMALISATION_FIELDS

__all__ = [
    "DEVICES",
    "MAX_SECONDS_PER_TOKEN",
    "MIN_SECONDS_PER_SENTENCE",
    "MIN_SECONDS_PER_TOKEN",
    "NORMALISATION_FIELDS",
    "SENTENCE_PAUSE_S",
    "STEP_LIMIT_WARNING",
    "TEXT_END_NOTE",
    "AudioLimitError",
    "DecodedSentence",
    "SynthesisCancelled",
    "SynthesisError",
    "Synthesizer",
    "UnknownDeviceError",
    "UnsupportedVocoderError",
    "check_pipe_out",
    "check_speakers_file",
    "load_synthesis_config",
    "output_path_problem",
    "parse_device",
    "vocoder_support_problem",
]
