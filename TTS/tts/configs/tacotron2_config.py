"""Tacotron2 config: Coqui's field names and defaults, so zoo config.json files load unchanged."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from TTS.config.errors import ConfigError
from TTS.tts.configs.shared_configs import BaseTTSConfig


@dataclass
class Tacotron2Config(BaseTTSConfig):
    """Tacotron2 and Tacotron2-DDC (``double_decoder_consistency``)."""

    model: str = field(default="tacotron2", metadata={"help": "Model name."})
    num_chars: int = field(
        default=0, metadata={"help": "Input vocabulary size; set from the characters at model setup."}
    )
    r: int = field(default=2, metadata={"help": "Reduction factor: mel frames predicted per decoder step."})
    gradual_training: Optional[List[List[int]]] = field(
        default=None, metadata={"help": "Schedule [[start_step, r, batch_size], ...] applied at epoch starts."}
    )
    gradual_training_start_r: Optional[int] = field(
        default=None,
        metadata={
            "help": "Start gradual training at this r, skipping the entries with a larger one (None: at the r "
            "of the checkpoint --restore_path restores, else at the schedule's start)."
        },
    )
    memory_size: int = field(default=-1, metadata={"help": "Past frames fed to the prenet (-1: the last frame only)."})
    prenet_type: str = field(default="original", metadata={"help": "'original' (dropout) or 'bn' (batch norm) prenet."})
    prenet_dropout: bool = field(default=True, metadata={"help": "Dropout 0.5 in the prenet during training."})
    prenet_dropout_at_inference: bool = field(default=False, metadata={"help": "Keep prenet dropout on at inference."})
    stopnet: bool = field(default=True, metadata={"help": "Predict the stop token."})
    separate_stopnet: bool = field(default=True, metadata={"help": "Train the stopnet on detached decoder outputs."})
    stopnet_pos_weight: float = field(default=0.2, metadata={"help": "Positive-class weight of the stop BCE loss."})
    max_decoder_steps: int = field(default=10000, metadata={"help": "Decoder step limit at inference."})
    encoder_in_features: int = field(default=512, metadata={"help": "Encoder (and embedding) width."})
    decoder_in_features: int = field(
        default=512, metadata={"help": "Width of the encoder outputs the decoder attends to."}
    )
    decoder_output_dim: int = field(default=80, metadata={"help": "Decoder output channels (mel bands)."})
    out_channels: int = field(default=80, metadata={"help": "Model output channels (mel bands)."})
    attention_type: str = field(
        default="original", metadata={"help": "Attention type: 'original' (location-sensitive)."}
    )
    attention_heads: Optional[int] = field(
        default=None, metadata={"help": "Attention heads (GMM attention only; unused)."}
    )
    attention_norm: str = field(
        default="sigmoid", metadata={"help": "Attention weight normalisation: 'sigmoid' or 'softmax'."}
    )
    attention_win: bool = field(
        default=False, metadata={"help": "Window the attention around the last position at inference."}
    )
    windowing: bool = field(default=False, metadata={"help": "Coqui alias of attention_win."})
    use_forward_attn: bool = field(default=False, metadata={"help": "Forward attention."})
    forward_attn_mask: bool = field(default=False, metadata={"help": "Mask forward attention at inference."})
    transition_agent: bool = field(default=False, metadata={"help": "Transition agent of forward attention."})
    location_attn: bool = field(default=True, metadata={"help": "Use location features in the attention."})
    bidirectional_decoder: bool = field(default=False, metadata={"help": "Train a backward decoder too."})
    double_decoder_consistency: bool = field(
        default=False, metadata={"help": "Double Decoder Consistency: a coarse decoder with ddc_r."}
    )
    ddc_r: int = field(default=6, metadata={"help": "Reduction factor of the DDC coarse decoder."})
    speakers_file: Optional[str] = field(default=None, metadata={"help": "speakers.json mapping speaker names to ids."})
    use_speaker_embedding: bool = field(default=False, metadata={"help": "Learn a speaker embedding table."})
    num_speakers: int = field(
        default=1,
        metadata={
            "help": "Rows of the speaker embedding when no speaker names are known (Coqui's field; speakers_file, "
            "speakers or the training samples name them otherwise)."
        },
    )
    speaker_embedding_dim: int = field(default=512, metadata={"help": "Speaker embedding width."})
    use_d_vector_file: bool = field(default=False, metadata={"help": "Use external speaker d-vectors."})
    d_vector_file: Optional[str] = field(default=None, metadata={"help": "File of speaker d-vectors."})
    d_vector_dim: Optional[int] = field(default=None, metadata={"help": "Width of the d-vectors."})
    # Coqui's style models: accepted in configs (false / null) so Coqui config files and scripts load; not supported
    use_gst: bool = field(default=False, metadata={"help": "Global Style Tokens (Coqui): not supported, must be false."})
    gst: Optional[Dict] = field(default=None, metadata={"help": "GST settings (Coqui): unused."})
    use_capacitron_vae: bool = field(
        default=False, metadata={"help": "Capacitron VAE (Coqui): not supported, must be false."}
    )
    capacitron_vae: Optional[Dict] = field(default=None, metadata={"help": "Capacitron VAE settings (Coqui): unused."})
    # sizes and regularisation that Coqui hard-codes (its values as defaults keep checkpoints compatible)
    encoder_num_convs: int = field(default=3, metadata={"help": "Convolutions in the encoder."})
    encoder_kernel_size: int = field(default=5, metadata={"help": "Kernel width of the encoder convolutions (odd)."})
    prenet_dims: List[int] = field(
        default_factory=lambda: [256, 256], metadata={"help": "Widths of the prenet layers."}
    )
    attention_rnn_dim: int = field(default=1024, metadata={"help": "Width of the attention LSTM (the query)."})
    decoder_rnn_dim: int = field(default=1024, metadata={"help": "Width of the decoder LSTM."})
    attention_dim: int = field(default=128, metadata={"help": "Width of the attention energy space."})
    attention_location_filters: int = field(
        default=32, metadata={"help": "Filters of the attention location convolution."}
    )
    attention_location_kernel_size: int = field(
        default=31, metadata={"help": "Kernel width of the attention location convolution (odd)."}
    )
    postnet_channels: int = field(default=512, metadata={"help": "Hidden width of the postnet convolutions."})
    postnet_num_convs: int = field(default=5, metadata={"help": "Convolutions in the postnet."})
    postnet_kernel_size: int = field(default=5, metadata={"help": "Kernel width of the postnet convolutions (odd)."})
    decoder_rnn_regularisation: str = field(
        default="dropout",
        metadata={"help": "'dropout' on the decoder LSTM outputs (Coqui) or 'zoneout' on their states (the paper)."},
    )
    attention_rnn_dropout: float = field(
        default=0.1, metadata={"help": "Dropout of the attention LSTM state ('dropout' mode)."}
    )
    decoder_rnn_dropout: float = field(
        default=0.1, metadata={"help": "Dropout of the decoder LSTM output ('dropout' mode)."}
    )
    zoneout_prob: float = field(
        default=0.1, metadata={"help": "Zoneout probability of the LSTM states ('zoneout' mode)."}
    )
    stop_threshold: float = field(default=0.5, metadata={"help": "Stop probability that ends decoding at inference."})
    stop_after_text_end_frames: int = field(
        default=0,
        metadata={
            "help": "Inference: also stop once the attention has stayed on the last text position for more than this "
            "many output frames (a stop token that never fires otherwise decodes to the step limit). 0: off, as Coqui."
        },
    )
    seq_len_norm: bool = field(default=False, metadata={"help": "Normalise losses by sequence length."})
    decoder_loss_alpha: float = field(default=0.25, metadata={"help": "Weight of the decoder spectrogram loss."})
    postnet_loss_alpha: float = field(default=0.25, metadata={"help": "Weight of the postnet spectrogram loss."})
    postnet_diff_spec_alpha: float = field(
        default=0.25, metadata={"help": "Weight of the postnet differential spectrogram loss."}
    )
    decoder_diff_spec_alpha: float = field(
        default=0.25, metadata={"help": "Weight of the decoder differential spectrogram loss."}
    )
    decoder_ssim_alpha: float = field(default=0.25, metadata={"help": "Weight of the decoder SSIM loss."})
    postnet_ssim_alpha: float = field(default=0.25, metadata={"help": "Weight of the postnet SSIM loss."})
    ga_alpha: float = field(default=5.0, metadata={"help": "Weight of the guided attention loss (0 disables it)."})
    attention_prior_until_step: int = field(
        default=0,
        metadata={
            "help": "Training only: until this global step, the attention weights are multiplied by a beta-binomial "
            "prior around the diagonal (and renormalised), so the decoder learns to read the text in order from the "
            "first steps; 0 = never. Inference never uses it."
        },
    )
    attention_prior_fade_steps: int = field(
        default=0,
        metadata={
            "help": "The prior fades out (its exponent falls linearly from 1 to 0) over this many steps before attention_prior_until_step."
        },
    )
    attention_prior_scaling: float = field(
        default=1.0,
        metadata={"help": "Sharpness of the beta-binomial prior: larger is a narrower band around the diagonal."},
    )
    # training defaults of Coqui's Tacotron2 recipe
    optimizer: str = field(default="RAdam", metadata={"help": "Optimizer name."})
    optimizer_params: Dict = field(
        default_factory=lambda: {"betas": [0.9, 0.998], "weight_decay": 1e-6}, metadata={"help": "Optimizer arguments."}
    )
    lr_scheduler: str = field(default="NoamLR", metadata={"help": "Learning-rate scheduler."})
    lr_scheduler_params: Dict = field(
        default_factory=lambda: {"warmup_steps": 4000}, metadata={"help": "Scheduler arguments."}
    )
    lr: float = field(default=1e-4, metadata={"help": "Initial learning rate."})
    scheduler_after_epoch: bool = field(
        default=False,
        metadata={
            "help": "Step the scheduler once per epoch instead of once per step. NoamLR counts steps, and "
            "coqui-tts-trainer 0.4.0 never steps a per-epoch scheduler of a single-optimizer model, so keep false."
        },
    )
    grad_clip: float = field(default=5.0, metadata={"help": "Gradient norm clipping."})
    loss_masking: bool = field(default=True, metadata={"help": "Mask padded frames out of the losses."})
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

        require(self.r >= 1, "r", f"must be >= 1, got {self.r}")
        require(
            self.decoder_in_features == self.encoder_in_features,
            "decoder_in_features",
            f"must equal encoder_in_features ({self.encoder_in_features}): the decoder attends to the encoder outputs, "
            f"got {self.decoder_in_features}",
        )
        require(
            self.out_channels == self.decoder_output_dim == self.audio.num_mels,
            "out_channels",
            f"out_channels ({self.out_channels}), decoder_output_dim ({self.decoder_output_dim}) and audio.num_mels "
            f"({self.audio.num_mels}) must be equal",
        )
        require(self.ddc_r >= 1, "ddc_r", f"must be >= 1, got {self.ddc_r}")
        require(
            self.attention_prior_until_step >= 0,
            "attention_prior_until_step",
            f"must be >= 0, got {self.attention_prior_until_step}",
        )
        require(
            0 <= self.attention_prior_fade_steps <= self.attention_prior_until_step,
            "attention_prior_fade_steps",
            f"must be between 0 and attention_prior_until_step ({self.attention_prior_until_step}), got {self.attention_prior_fade_steps}",
        )
        require(
            self.attention_prior_scaling > 0,
            "attention_prior_scaling",
            f"must be > 0, got {self.attention_prior_scaling}",
        )
        require(
            self.prenet_type in ("original", "bn"),
            "prenet_type",
            f"must be 'original' or 'bn', got {self.prenet_type!r}",
        )
        require(
            self.attention_norm in ("sigmoid", "softmax"),
            "attention_norm",
            f"must be 'sigmoid' or 'softmax', got {self.attention_norm!r}",
        )
        require(
            self.decoder_rnn_regularisation in ("dropout", "zoneout"),
            "decoder_rnn_regularisation",
            f"must be 'dropout' or 'zoneout', got {self.decoder_rnn_regularisation!r}",
        )
        for name in ("encoder_kernel_size", "postnet_kernel_size", "attention_location_kernel_size"):
            require(getattr(self, name) % 2 == 1, name, f"must be odd, got {getattr(self, name)}")
        check_supported(self)
        require(self.num_speakers >= 1, "num_speakers", f"must be >= 1, got {self.num_speakers}")
        require(
            self.attention_type == "original",
            "attention_type",
            f"only 'original' is supported, got {self.attention_type!r}",
        )
        require(self.max_decoder_steps >= 1, "max_decoder_steps", f"must be >= 1, got {self.max_decoder_steps}")
        require(
            self.stop_after_text_end_frames >= 0,
            "stop_after_text_end_frames",
            f"must be >= 0 (0: off), got {self.stop_after_text_end_frames}",
        )
        if self.gradual_training_start_r is not None:
            require(self.gradual_training_start_r >= 1, "gradual_training_start_r", "must be >= 1 or None")
        if self.gradual_training:
            for i, entry in enumerate(self.gradual_training):
                require(
                    len(entry) == 3 and all(isinstance(v, int) and v >= 0 for v in entry) and min(entry[1:]) >= 1,
                    f"gradual_training[{i}]",
                    f"must be [start_step, r, batch_size] with integers, start_step >= 0, r >= 1 and "
                    f"batch_size >= 1, got {entry}",
                )


#: Coqui Tacotron2 features this package does not have: config field -> what it is
UNSUPPORTED_FEATURES = {
    "use_gst": "Global Style Tokens (GST)",
    "use_capacitron_vae": "Capacitron VAE",
    "use_d_vector_file": "external speaker d-vectors",
    "use_forward_attn": "forward attention",
    "transition_agent": "the forward attention's transition agent",
    "bidirectional_decoder": "the bidirectional decoder",
}


def check_supported(config) -> None:
    """A ``ConfigError`` naming the first Coqui feature ``config`` switches on that this Tacotron2 does not have.

    Called by ``check_values`` and by the model's constructor (Coqui scripts set ``config.use_gst = True``
    on a config object after building it).
    """
    for name, what in UNSUPPORTED_FEATURES.items():
        if getattr(config, name, False):
            raise ConfigError(f"config field '{name}': this Tacotron2 has no {what}; set it to false")
