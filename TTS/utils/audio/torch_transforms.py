"""Batched, differentiable spectrograms in torch (the vocoder losses compare generated and real audio with them).

Same geometry as ``numpy_transforms.stft`` (centred frames, reflect padding, Hann window) and the same
Slaney mel filterbank, so a magnitude here equals librosa's to float precision.
"""

from typing import Optional

import torch
from torch import nn

from TTS.utils.audio.numpy_transforms import build_mel_basis

# floor under the squared magnitude: keeps the square root's gradient and a later log finite on silence
MIN_POWER = 1e-8


class TorchSTFT(nn.Module):
    """Magnitude (or mel) spectrogram of a batch of waveforms.

    Parameters
    ----------
    n_fft, hop_length, win_length:
        STFT geometry in samples (a Hann window of ``win_length``, centred in ``n_fft``).
    sample_rate, mel_fmin, mel_fmax, n_mels:
        The mel filterbank, used when ``use_mel``.
    use_mel:
        Project the magnitude onto the mel filterbank.

    Shapes
    ------
    x: (B, T) or (B, 1, T) -> (B, n_fft // 2 + 1, 1 + T // hop_length), or (B, n_mels, ...) with ``use_mel``
    """

    def __init__(
        self,
        n_fft: int,
        hop_length: int,
        win_length: int,
        *,
        sample_rate: Optional[int] = None,
        mel_fmin: Optional[float] = 0.0,
        mel_fmax: Optional[float] = None,
        n_mels: Optional[int] = 80,
        use_mel: bool = False,
    ) -> None:
        super().__init__()
        self.n_fft, self.hop_length, self.win_length = n_fft, hop_length, win_length
        self.use_mel = use_mel
        self.register_buffer("window", torch.hann_window(win_length), persistent=False)
        if use_mel:
            if sample_rate is None or n_mels is None:
                raise ValueError("TorchSTFT: use_mel needs sample_rate and n_mels")
            basis = build_mel_basis(
                sample_rate=sample_rate, fft_size=n_fft, num_mels=n_mels, mel_fmin=mel_fmin or 0.0, mel_fmax=mel_fmax
            )
            self.register_buffer("mel_basis", torch.from_numpy(basis).float(), persistent=False)
        else:
            self.mel_basis = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.squeeze(1)
        spec = torch.stft(
            x,
            self.n_fft,
            hop_length=self.hop_length,
            win_length=self.win_length,
            window=self.window.to(x),
            center=True,
            pad_mode="reflect",
            onesided=True,
            return_complex=True,
        )
        power = spec.real.square() + spec.imag.square()
        magnitude = torch.sqrt(torch.clamp(power, min=MIN_POWER))
        if self.mel_basis is not None:
            magnitude = torch.matmul(self.mel_basis.to(magnitude), magnitude)
        return magnitude
