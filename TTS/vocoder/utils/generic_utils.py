"""Feeding a TTS model's mel spectrogram to a vocoder: Coqui's sample-rate interpolation and the mel checks.

Coqui runs any vocoder behind any TTS model: the mel is denormalised with the TTS model's audio config,
normalised with the vocoder's, and, when the two sample rates differ, stretched along time by their ratio
(bilinear, on the (1, 1, C_mel, T) tensor). ``interpolate_vocoder_input`` is that stretch;
``mel_settings_problem`` finds the pairs for which no such conversion exists.
"""

import logging
from typing import Optional, Sequence, Union

import numpy as np
import torch
from torch.nn import functional as F

logger = logging.getLogger(__name__)

# audio settings that make two mel spectrograms describe the same thing; a difference is logged, not refused
_SHAPE_FIELDS = ("fft_size", "win_length", "mel_fmin", "mel_fmax")


def interpolate_vocoder_input(scale_factor: Sequence[float], spec: Union[np.ndarray, torch.Tensor]) -> torch.Tensor:
    """Stretch a mel spectrogram along time as Coqui does when the TTS and vocoder sample rates differ.

    Parameters
    ----------
    scale_factor:
        ``[1, vocoder_sample_rate / tts_sample_rate]`` (mel bands, time).
    spec:
        The mel spectrogram.

    Shapes
    ------
    spec: (C_mel, T)
    returns: (1, C_mel, floor(T * scale_factor[1]))
    """
    spec = torch.as_tensor(spec, dtype=torch.float32)[None, None]
    out = F.interpolate(
        spec, scale_factor=tuple(scale_factor), recompute_scale_factor=True, mode="bilinear", align_corners=False
    )
    return out.squeeze(0)


def mel_settings_problem(tts_audio, vocoder_audio, *, tts_source: str, vocoder_source: str) -> Optional[str]:
    """Why the vocoder cannot turn the TTS model's mel spectrograms into speech, in one line naming both configs.

    Refused: another number of mel bands (no conversion exists). Logged: another hop length (the mel is
    stretched by the sample-rate ratio, as Coqui does, so the speech comes out faster or slower) and mel
    settings that only colour the result (FFT size, window, frequency range).

    Parameters
    ----------
    tts_audio, vocoder_audio:
        The ``audio`` sections (``BaseAudioConfig``) of the two configs.
    tts_source, vocoder_source:
        How to name the two configs in the message (their paths).
    """
    if tts_audio.num_mels != vocoder_audio.num_mels:
        return (
            f"vocoder config {vocoder_source} takes {vocoder_audio.num_mels} mel bands (audio.num_mels), the TTS "
            f"model of {tts_source} makes {tts_audio.num_mels}: this vocoder cannot serve this model"
        )
    if tts_audio.hop_length != vocoder_audio.hop_length:
        # the mel is stretched by the sample-rate ratio, so the output lasts T * vocoder hop / TTS sample rate
        logger.warning(
            "vocoder config %s has hop_length %d, the TTS config %s %d: the speech comes out %.2f times as long",
            vocoder_source,
            vocoder_audio.hop_length,
            tts_source,
            tts_audio.hop_length,
            vocoder_audio.hop_length / tts_audio.hop_length,
        )
    differ = [
        f"{name} {getattr(tts_audio, name)} vs {getattr(vocoder_audio, name)}"
        for name in _SHAPE_FIELDS
        if getattr(tts_audio, name) != getattr(vocoder_audio, name)
    ]
    if differ:
        logger.info("vocoder config %s and TTS config %s differ in %s", vocoder_source, tts_source, ", ".join(differ))
    return None


def generator_hop_problem(model, vocoder_audio, *, vocoder_source: str) -> Optional[str]:
    """Why the generator of a vocoder config does not make one ``audio.hop_length`` of samples per frame, or None."""
    if model.hop_length != vocoder_audio.hop_length:
        return (
            f"vocoder config {vocoder_source}: the generator makes {model.hop_length} samples per mel frame "
            f"(the product of its upsampling factors), audio.hop_length is {vocoder_audio.hop_length}"
        )
    return None
