"""A neural generator (HiFi-GAN, MelGAN, ...) as a ``Vocoder``: the acoustic model's mel in, a waveform out."""

from typing import Optional

import numpy as np
import torch

from TTS.vocoder.interface import EXACT, Vocoder
from TTS.vocoder.utils.generic_utils import interpolate_vocoder_input

# Audio settings that decide how a mel spectrogram is normalised.
NORMALISATION_FIELDS = (
    "signal_norm", "symmetric_norm", "max_norm", "clip_norm", "min_level_db", "ref_level_db",
    "spec_gain", "log_func", "do_amp_to_db_mel", "stats_path",
)  # fmt: skip


class ModelVocoder(Vocoder):
    """A generator and its audio config, fed the mel of an acoustic model with another ``AudioProcessor``.

    The mel is given the way the vocoder's own audio config normalises it: denormalised with ``source_ap`` (the
    acoustic model's), normalised with ``ap`` (the vocoder's), and stretched along time when the sample rates
    differ (Coqui's interpolation).
    """

    def __init__(self, *, model: torch.nn.Module, ap, source_ap) -> None:
        self.model = model
        self.ap = ap
        self.source_ap = source_ap

    def vocode(self, mel: np.ndarray, *, start: Optional[np.ndarray] = None) -> np.ndarray:
        """Shapes: mel (T, C_mel) -> (T * hop_length,) with equal sample rates."""
        features = mel.T
        if any(getattr(self.source_ap, name) != getattr(self.ap, name) for name in NORMALISATION_FIELDS):
            features = self.ap.normalize(self.source_ap.denormalize(features))
        if self.ap.sample_rate != self.source_ap.sample_rate:  # Coqui's stretch by the sample-rate ratio
            features = interpolate_vocoder_input([1, self.ap.sample_rate / self.source_ap.sample_rate], features)
        else:
            features = torch.as_tensor(np.ascontiguousarray(features), dtype=torch.float32)[None]
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            wav = self.model.waveform(features.to(device))
        return wav.reshape(-1).float().cpu().numpy()

    @property
    def sample_rate(self) -> int:
        return self.ap.sample_rate

    @property
    def hop_length(self) -> int:
        return self.ap.hop_length

    @property
    def padding(self) -> str:
        return EXACT
