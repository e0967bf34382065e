"""Glow-TTS config: Coqui's field names and defaults, so zoo config.json files load unchanged."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from TTS.config.errors import ConfigError
from TTS.tts.configs.shared_configs import BaseTTSConfig


@dataclass
class GlowTTSConfig(BaseTTSConfig):
    """Glow-TTS (Kim et al., 2020): a flow decoder with monotonic alignment search and a duration predictor."""

    model: str = field(default="glow_tts", metadata={"help": "Model name."})
    num_chars: Optional[int] = field(
        default=None, metadata={"help": "Input vocabulary size; set from the characters at model setup."}
    )
    use_encoder_prenet: bool = field(default=True, metadata={"help": "Residual convolution prenet before the transformer."})
    hidden_channels_enc: int = field(default=192, metadata={"help": "Width of the text encoder (and embedding)."})
    hidden_channels_dec: int = field(default=192, metadata={"help": "Width of the WaveNet nets of the flow decoder."})
    hidden_channels_dp: int = field(default=256, metadata={"help": "Width of the duration predictor."})
    dropout_p_dp: float = field(default=0.1, metadata={"help": "Dropout of the duration predictor."})
    dropout_p_dec: float = field(default=0.05, metadata={"help": "Dropout of the decoder WaveNet layers."})
    mean_only: bool = field(
        default=True, metadata={"help": "Predict only the means of the token priors (unit variance); else also log-scales."}
    )
    out_channels: int = field(default=80, metadata={"help": "Mel channels."})
    num_flow_blocks_dec: int = field(default=12, metadata={"help": "Flow steps (ActNorm, 1x1 conv, coupling) of the decoder."})
    kernel_size_dec: int = field(default=5, metadata={"help": "Kernel width of the decoder WaveNet convolutions (odd)."})
    dilation_rate: int = field(default=1, metadata={"help": "Dilation growth per WaveNet layer."})
    num_block_layers: int = field(default=4, metadata={"help": "WaveNet layers per coupling block."})
    c_in_channels: int = field(
        default=0, metadata={"help": "Speaker conditioning width; set by the model from the speaker setup."}
    )
    num_splits: int = field(default=4, metadata={"help": "Channel groups mixed by each invertible 1x1 convolution (even)."})
    num_squeeze: int = field(default=2, metadata={"help": "Frames folded into channels by the decoder's squeeze."})
    sigmoid_scale: bool = field(default=False, metadata={"help": "Sigmoid-bounded scales in the coupling layers."})
    encoder_type: str = field(default="rel_pos_transformer", metadata={"help": "Text encoder: 'rel_pos_transformer'."})
    encoder_params: Dict = field(
        default_factory=lambda: {
            "kernel_size": 3,
            "dropout_p": 0.1,
            "num_layers": 6,
            "num_heads": 2,
            "hidden_channels_ffn": 768,
            "input_length": None,
        },
        metadata={
            "help": "Transformer settings: kernel_size, dropout_p, num_layers, num_heads, hidden_channels_ffn, "
            "input_length, rel_attn_window_size (optional)."
        },
    )
    d_vector_dim: int = field(default=0, metadata={"help": "Width of external d-vectors (use_d_vector_file)."})
    data_dep_init_steps: int = field(
        default=10,
        metadata={"help": "First training steps that only initialise the ActNorm layers from the data (no update)."},
    )
    style_wav_for_test: Optional[str] = field(default=None, metadata={"help": "Unused (Coqui field)."})
    inference_noise_scale: float = field(
        default=0.0, metadata={"help": "Standard deviation of the latent noise at inference (0: the prior means)."}
    )
    length_scale: float = field(
        default=1.0, metadata={"help": "Duration multiplier at inference: > 1 speaks slower, < 1 faster."}
    )
    max_inference_frames: int = field(
        default=10000,
        metadata={"help": "Inference: an output longer than this many frames (length_scale x durations) is an error."},
    )
    use_speaker_embedding: bool = field(default=False, metadata={"help": "Learn a speaker embedding table."})
    speakers_file: Optional[str] = field(default=None, metadata={"help": "speakers.json mapping speaker names to ids."})
    use_d_vector_file: bool = field(default=False, metadata={"help": "Condition on external speaker d-vectors."})
    d_vector_file: Optional[str] = field(default=None, metadata={"help": "File of speaker d-vectors."})
    optimizer: str = field(default="RAdam", metadata={"help": "Optimizer name."})
    optimizer_params: Dict = field(
        default_factory=lambda: {"betas": [0.9, 0.998], "weight_decay": 1e-6}, metadata={"help": "Optimizer arguments."}
    )
    lr_scheduler: str = field(default="NoamLR", metadata={"help": "Learning-rate scheduler."})
    lr_scheduler_params: Dict = field(
        default_factory=lambda: {"warmup_steps": 4000}, metadata={"help": "Scheduler arguments."}
    )
    grad_clip: float = field(default=5.0, metadata={"help": "Gradient norm clipping."})
    lr: float = field(default=1e-3, metadata={"help": "Initial learning rate."})
    scheduler_after_epoch: bool = field(
        default=False,
        metadata={"help": "Step the scheduler once per epoch instead of per step (NoamLR counts steps: keep false)."},
    )
    min_seq_len: int = field(default=3, metadata={"help": "Coqui field (use min_text_len)."})
    max_seq_len: int = field(default=500, metadata={"help": "Coqui field (use max_text_len)."})
    r: int = field(default=1, metadata={"help": "Frames per step; always 1 for Glow-TTS."})
    test_sentences: List[str] = field(
        default_factory=lambda: [
            "It took me quite a long time to develop a voice, and now that I have it I'm not going to be silent.",
            "Be a voice, not an echo.",
            "I'm sorry Dave. I'm afraid I can't do that.",
            "This cake is great. It's so delicious and moist.",
            "Prior to November 22, 1963.",
        ],
        metadata={"help": "Sentences synthesised at each evaluation."},
    )

    def check_values(self) -> None:
        super().check_values()

        def require(ok: bool, name: str, message: str) -> None:
            if not ok:
                raise ConfigError(f"config field '{name}': {message}")

        require(self.r == 1, "r", f"Glow-TTS decodes every frame: must be 1, got {self.r}")
        require(
            self.encoder_type == "rel_pos_transformer",
            "encoder_type",
            f"only 'rel_pos_transformer' is supported, got {self.encoder_type!r}",
        )
        require(self.out_channels == self.audio.num_mels, "out_channels", f"must equal audio.num_mels ({self.audio.num_mels}), got {self.out_channels}")
        require(self.kernel_size_dec % 2 == 1, "kernel_size_dec", f"must be odd, got {self.kernel_size_dec}")
        require(self.num_squeeze >= 1, "num_squeeze", f"must be >= 1, got {self.num_squeeze}")
        require(
            self.num_splits >= 2 and self.num_splits % 2 == 0 and (self.out_channels * self.num_squeeze) % self.num_splits == 0,
            "num_splits",
            f"must be even and divide out_channels x num_squeeze ({self.out_channels * self.num_squeeze}), got {self.num_splits}",
        )
        require(self.length_scale > 0, "length_scale", f"must be > 0, got {self.length_scale}")
        require(self.inference_noise_scale >= 0, "inference_noise_scale", f"must be >= 0, got {self.inference_noise_scale}")
        require(self.max_inference_frames >= 1, "max_inference_frames", f"must be >= 1, got {self.max_inference_frames}")
        require(self.data_dep_init_steps >= 0, "data_dep_init_steps", f"must be >= 0, got {self.data_dep_init_steps}")
