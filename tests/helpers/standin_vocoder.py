"""A stand-in vocoder that records what the Synthesizer feeds it (registered by the ``standin_vocoder`` fixture)."""

from dataclasses import dataclass, field

import torch
from coqpit import Coqpit

from TTS.config.shared_configs import BaseAudioConfig


@dataclass
class StandInVocoderConfig(Coqpit):
    """Config of the stand-in vocoder: what a vocoder config has that the Synthesizer reads."""

    model: str = "standin_vocoder"
    audio: BaseAudioConfig = field(default_factory=BaseAudioConfig)


class StandInVocoder(torch.nn.Module):
    """Records its input; returns ``hop`` loud samples per frame, then ``SILENCE_S`` of silence."""

    SILENCE_S = 1.5

    def __init__(self, hop_length: int) -> None:
        super().__init__()
        self.hop_length = hop_length
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.inputs = []
        self.loaded = None

    def load_checkpoint(self, config, checkpoint_path, eval=False):  # noqa: A002 - the vocoder interface
        self.loaded = checkpoint_path
        self.eval()

    def inference(self, mel: torch.Tensor) -> torch.Tensor:
        self.inputs.append(mel.clone())
        frames = 0.5 + 0.1 * torch.tanh(mel.mean(dim=1, keepdim=True))  # (B, 1, T): loud, never silent
        audio = frames.repeat_interleave(self.hop_length, dim=2) * self.scale
        silence = audio.new_zeros(audio.shape[0], 1, int(self.SILENCE_S * 22050))
        return torch.cat((audio, silence), dim=2)

    waveform = inference  # no inference padding to cut
