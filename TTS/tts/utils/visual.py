"""Figures for TensorBoard and notebooks: spectrograms and alignments (matplotlib, no display needed)."""

from typing import Optional

import matplotlib.pyplot as plt  # headless machines fall back to the Agg backend by themselves
import numpy as np

FIGSIZE = (8, 5)


def _to_numpy(x) -> np.ndarray:
    return x.detach().cpu().float().numpy() if hasattr(x, "detach") else np.asarray(x)


def _image(matrix, *, xlabel: str, ylabel: str, title: Optional[str]) -> "plt.Figure":
    fig, ax = plt.subplots(figsize=FIGSIZE)
    image = ax.imshow(_to_numpy(matrix).T, aspect="auto", origin="lower", interpolation="none")
    fig.colorbar(image, ax=ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_spectrogram(spectrogram, title: Optional[str] = None) -> "plt.Figure":
    """Image of a spectrogram. Shapes: spectrogram (T, C) -> channels on the y axis."""
    return _image(spectrogram, xlabel="frame", ylabel="channel", title=title)


def plot_alignment(alignment, title: Optional[str] = None) -> "plt.Figure":
    """Image of attention weights. Shapes: alignment (T_steps, T_text) -> text on y, decoder steps on x."""
    return _image(alignment, xlabel="decoder step", ylabel="encoder step", title=title)
