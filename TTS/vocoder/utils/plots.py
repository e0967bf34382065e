"""TensorBoard figures of vocoder training: the generated and the real waveform and their mel spectrograms."""

from typing import Dict

import matplotlib.pyplot as plt
import numpy as np
import torch

from TTS.tts.utils.visual import FIGSIZE, plot_spectrogram
from TTS.utils.audio import AudioProcessor


def plot_results(
    y_hat: torch.Tensor, y: torch.Tensor, ap: AudioProcessor, name_prefix: str = ""
) -> Dict[str, "plt.Figure"]:
    """Figures of the first item of a batch: mel spectrograms (generated, real, their absolute difference)
    and both waveforms, keyed ``<prefix>spectrogram/fake``, ``.../real``, ``.../diff`` and
    ``<prefix>speech_comparison``.

    Shapes
    ------
    y_hat, y: (B, 1, T)
    """
    fake = y_hat[0].detach().float().cpu().numpy().reshape(-1)
    real = y[0].detach().float().cpu().numpy().reshape(-1)
    spec_fake = ap.melspectrogram(fake.astype(np.float64)).T
    spec_real = ap.melspectrogram(real.astype(np.float64)).T
    frames = min(len(spec_fake), len(spec_real))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=FIGSIZE, sharex=True)
    top.plot(real)
    top.set_title("real")
    bottom.plot(fake)
    bottom.set_title("generated")
    bottom.set_xlabel("sample")
    fig.tight_layout()
    plt.close(fig)
    return {
        f"{name_prefix}spectrogram/fake": plot_spectrogram(spec_fake, title="generated"),
        f"{name_prefix}spectrogram/real": plot_spectrogram(spec_real, title="real"),
        f"{name_prefix}spectrogram/diff": plot_spectrogram(
            np.abs(spec_fake[:frames] - spec_real[:frames]), title="|generated - real|"
        ),
        f"{name_prefix}speech_comparison": fig,
    }
