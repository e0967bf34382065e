"""Configs shared by the text-to-speech models: characters and the TTS training base."""

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from coqpit import Coqpit

from TTS.config.errors import ConfigError
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig, BaseTrainingConfig


@dataclass
class CharactersConfig(Coqpit):
    """The model's input vocabulary (graphemes or phonemes), stored with every checkpoint."""

    characters_class: Optional[str] = field(
        default=None,
        metadata={"help": "Vocabulary class path, e.g. 'TTS.tts.utils.text.characters.IPAPhonemes' or '...Graphemes'."},
    )
    vocab_dict: Optional[Dict] = field(default=None, metadata={"help": "Explicit symbol -> id map (rarely used)."})
    pad: Optional[str] = field(default=None, metadata={"help": "Padding symbol (id 0 in the default order)."})
    eos: Optional[str] = field(default=None, metadata={"help": "End-of-sentence symbol."})
    bos: Optional[str] = field(default=None, metadata={"help": "Beginning-of-sentence symbol."})
    blank: Optional[str] = field(default=None, metadata={"help": "Blank symbol interspersed when add_blank is on."})
    characters: Optional[str] = field(default=None, metadata={"help": "The letters or phonemes of the vocabulary."})
    punctuations: Optional[str] = field(default=None, metadata={"help": "Punctuation symbols kept in the input (space included)."})
    phonemes: Optional[str] = field(default=None, metadata={"help": "Phoneme symbols (older configs list them here)."})
    is_unique: bool = field(default=True, metadata={"help": "Remove duplicate symbols when building the vocabulary."})
    is_sorted: bool = field(default=True, metadata={"help": "Sort the characters when building the vocabulary."})


@dataclass
class GSTConfig(Coqpit):
    """Coqui's Global Style Token settings, here so that Coqui scripts importing it run; the models of this
    package do not have GST (``use_gst: true`` is a ``ConfigError``)."""

    gst_style_input_wav: Optional[str] = field(default=None, metadata={"help": "Reference wav of the style."})
    gst_style_input_weights: Optional[Dict] = field(default=None, metadata={"help": "Style token weights."})
    gst_embedding_dim: int = field(default=256, metadata={"help": "Style embedding width."})
    gst_use_speaker_embedding: bool = field(default=False, metadata={"help": "Condition the style on the speaker."})
    gst_num_heads: int = field(default=4, metadata={"help": "Attention heads over the style tokens."})
    gst_num_style_tokens: int = field(default=10, metadata={"help": "Number of style tokens."})


@dataclass
class CapacitronVAEConfig(Coqpit):
    """Coqui's Capacitron VAE settings, here so that Coqui scripts importing it run; the models of this
    package do not have Capacitron (``use_capacitron_vae: true`` is a ``ConfigError``)."""

    capacitron_loss_alpha: int = field(default=1, metadata={"help": "Weight of the VAE loss."})
    capacitron_capacity: int = field(default=150, metadata={"help": "Capacity of the VAE (nats)."})
    capacitron_VAE_embedding_dim: int = field(default=128, metadata={"help": "Width of the VAE embedding."})
    capacitron_use_text_summary_embeddings: bool = field(default=True, metadata={"help": "Use a text summary."})
    capacitron_text_summary_embedding_dim: int = field(default=128, metadata={"help": "Text summary width."})
    capacitron_use_speaker_embedding: bool = field(default=False, metadata={"help": "Condition on the speaker."})
    capacitron_VAE_loss_alpha: float = field(default=0.25, metadata={"help": "Weight of the VAE loss."})
    capacitron_grad_clip: float = field(default=5.0, metadata={"help": "Gradient clipping of the VAE."})


@dataclass
class BaseTTSConfig(BaseTrainingConfig):
    """Fields every TTS model shares: audio, text processing, datasets, batching, evaluation."""

    audio: BaseAudioConfig = field(default_factory=BaseAudioConfig, metadata={"help": "Audio feature settings."})
    # Optional[Dict]: with a plain Dict, any --coqpit.<field> override (coqpit-config 0.2.5) rewrites the
    # empty dict as null, and the run's config.json would no longer load
    model_args: Optional[Dict] = field(default_factory=dict, metadata={"help": "Model arguments for models that group them (unused by Tacotron2)."})
    _supports_cloning: bool = field(default=False, metadata={"help": "Whether the model clones voices from a reference (Coqui bookkeeping)."})
    languages: List[str] = field(default_factory=list, metadata={"help": "Languages of the model; one entry sets the phonemizer/cleaner language at synthesis."})
    speakers: List[str] = field(default_factory=list, metadata={"help": "Speaker names of a multi-speaker model."})
    # text processing
    use_phonemes: bool = field(default=False, metadata={"help": "Feed phonemes (from the phonemizer) instead of characters."})
    phonemizer: Optional[str] = field(default=None, metadata={"help": "Phonemizer backend: 'espeak' (espeak-ng)."})
    phoneme_language: Optional[str] = field(default=None, metadata={"help": "Phonemizer language code, e.g. 'en-us' or 'es'."})
    compute_input_seq_cache: bool = field(default=False, metadata={"help": "Precompute the token ids of the whole dataset before training."})
    text_cleaner: Optional[str] = field(default=None, metadata={"help": "Cleaner name from TTS.tts.utils.text.cleaners (e.g. 'english_cleaners')."})
    enable_eos_bos_chars: bool = field(default=False, metadata={"help": "Wrap every input in BOS/EOS symbols."})
    unknown_chars: str = field(
        default="warn",
        metadata={
            "help": "Characters outside the vocabulary: 'warn' drops them with one warning per distinct character, "
            "'error' stops with an error naming the character."
        },
    )
    test_sentences_file: str = field(default="", metadata={"help": "File with one test sentence per line, synthesised at each evaluation."})
    phoneme_cache_path: Optional[str] = field(default=None, metadata={"help": "Folder caching phonemized texts so a dataset is phonemized once."})
    characters: Optional[CharactersConfig] = field(default=None, metadata={"help": "Input vocabulary; None uses the default for use_phonemes."})
    add_blank: bool = field(default=False, metadata={"help": "Intersperse the blank symbol between input tokens."})
    # batching and filtering
    batch_group_size: int = field(default=0, metadata={"help": "Coqui's shuffle window over length-sorted samples (in batches); 0 uses bucket_size_multiplier."})
    batch_sampler: str = field(
        default="bucket",
        metadata={
            "help": "'bucket': batches of similar length, shuffled within and across buckets; 'random': plain random batches."
        },
    )
    bucket_size_multiplier: int = field(default=10, metadata={"help": "A bucket holds this many batches of length-sorted samples."})
    loss_masking: Optional[bool] = field(default=None, metadata={"help": "Mask padded frames out of the losses."})
    min_audio_len: int = field(default=1, metadata={"help": "Samples shorter than this (in audio samples) are dropped."})
    max_audio_len: float = field(default=float("inf"), metadata={"help": "Samples longer than this (in audio samples) are dropped."})
    min_text_len: int = field(default=1, metadata={"help": "Samples with fewer characters than this are dropped."})
    max_text_len: float = field(default=float("inf"), metadata={"help": "Samples with more characters than this are dropped."})
    compute_f0: bool = field(default=False, metadata={"help": "Compute pitch in the data loader (unused by Tacotron2)."})
    compute_energy: bool = field(default=False, metadata={"help": "Compute energy in the data loader (unused by Tacotron2)."})
    compute_linear_spec: bool = field(default=False, metadata={"help": "Also return linear spectrograms from the data loader."})
    precompute_num_workers: int = field(default=0, metadata={"help": "Processes that fill the phoneme/mel cache before training."})
    mel_cache_path: Optional[str] = field(default=None, metadata={"help": "Folder caching mel spectrograms, keyed by the audio settings; None computes them on the fly."})
    start_by_longest: bool = field(default=False, metadata={"help": "Put the longest batch first (catches out-of-memory early)."})
    shuffle: bool = field(default=False, metadata={"help": "Shuffle the training set (used with batch_sampler 'random')."})
    drop_last: bool = field(default=False, metadata={"help": "Drop the last incomplete batch."})
    datasets: List[BaseDatasetConfig] = field(default_factory=lambda: [BaseDatasetConfig()], metadata={"help": "Datasets to train on."})
    restore_new_symbols: str = field(
        default="mean",
        metadata={
            "help": "With --restore_path from a checkpoint with another vocabulary: how the embedding rows of symbols "
            "the checkpoint lacks start. 'mean': the mean of the checkpoint's rows; 'random': the model's own "
            "initialisation. Shared symbols keep their rows; restore_symbol_map overrides both."
        },
    )
    restore_symbol_map: Optional[Dict[str, str]] = field(
        default_factory=dict,
        metadata={
            "help": "New symbol -> checkpoint symbols whose embedding rows it starts from (their mean), e.g. "
            "{\"ɲ\": \"nj\", \"β\": \"b\"}. Used with --restore_path when the vocabularies differ."
        },
    )
    restore_new_speakers: str = field(
        default="mean",
        metadata={
            "help": "With --restore_path from a checkpoint with other speakers: how the speaker embedding rows of new "
            "speakers start ('mean' of the checkpoint's speakers, or 'random'). Speakers kept by name keep their rows."
        },
    )
    allow_partial_restore: bool = field(
        default=False,
        metadata={
            "help": "With --restore_path, load only the tensors whose names and shapes match and keep the others at "
            "their initial values (the restore report lists them). False makes any mismatch an error."
        },
    )
    restore_grown_inputs: List[str] = field(
        default_factory=list,
        metadata={
            "help": "With --restore_path: fnmatch patterns of weight matrices whose inputs grew at the end since the "
            "checkpoint (a speaker embedding appended to the encoder outputs). Their old columns are copied and the new "
            "ones start at zero, so the restored model first computes what the checkpoint did; any other shape change "
            "of a matching tensor is an error."
        },
    )
    freeze_layers: List[str] = field(
        default_factory=list,
        metadata={
            "help": "Fine-tuning: parameters frozen from step 0, as fnmatch patterns of the names that "
            "model.named_parameters() gives, e.g. [\"encoder.*\", \"postnet.*\"]. Frozen parameters get no gradient "
            "and no optimizer update; batch norms whose parameters are all frozen keep their running statistics. A "
            "pattern matching no parameter is an error. See TTS.training.freeze for a recipe."
        },
    )
    unfreeze_schedule: List[List] = field(
        default_factory=list,
        metadata={
            "help": "Gradual unfreezing of freeze_layers: entries [start_step, [patterns...], lr_scale], steps in "
            "non-decreasing order. From global step start_step on, the still-frozen parameters matching the patterns "
            "(\"*\": all of them) train in their own optimizer group at lr_scale x the learning rate of the "
            "always-trained ones (the scheduler scales all groups alike). A pattern matching no still-frozen "
            "parameter is an error."
        },
    )
    # optimiser
    optimizer: str = field(default="radam", metadata={"help": "Optimizer name (torch.optim or RAdam)."})
    optimizer_params: Optional[Dict] = field(default=None, metadata={"help": "Keyword arguments of the optimizer."})
    lr_scheduler: Optional[str] = field(default=None, metadata={"help": "Learning-rate scheduler name."})
    lr_scheduler_params: Dict = field(default_factory=dict, metadata={"help": "Keyword arguments of the scheduler."})
    # evaluation
    test_sentences: List[str] = field(default_factory=list, metadata={"help": "Sentences synthesised at each evaluation."})
    eval_split_max_size: Optional[int] = field(default=None, metadata={"help": "Largest number of samples in the random eval split."})
    eval_split_size: float = field(default=0.01, metadata={"help": "Eval split size: a fraction if < 1, else a number of samples."})
    # samplers
    use_speaker_weighted_sampler: bool = field(default=False, metadata={"help": "Balance batches across speakers."})
    speaker_weighted_sampler_alpha: float = field(default=1.0, metadata={"help": "Strength of speaker balancing."})
    use_language_weighted_sampler: bool = field(default=False, metadata={"help": "Balance batches across languages."})
    language_weighted_sampler_alpha: float = field(default=1.0, metadata={"help": "Strength of language balancing."})
    use_length_weighted_sampler: bool = field(default=False, metadata={"help": "Balance batches across length buckets."})
    length_weighted_sampler_alpha: float = field(default=1.0, metadata={"help": "Strength of length balancing."})

    def check_values(self) -> None:
        def require(ok: bool, name: str, message: str) -> None:
            if not ok:
                raise ConfigError(f"config field '{name}': {message}")

        for name in ("batch_size", "eval_batch_size"):
            require(getattr(self, name) >= 1, name, f"must be >= 1, got {getattr(self, name)}")
        require(self.unknown_chars in ("warn", "error"), "unknown_chars", f"must be 'warn' or 'error', got {self.unknown_chars!r}")
        require(self.batch_sampler in ("bucket", "random"), "batch_sampler", f"must be 'bucket' or 'random', got {self.batch_sampler!r}")
        require(self.bucket_size_multiplier >= 1, "bucket_size_multiplier", f"must be >= 1, got {self.bucket_size_multiplier}")
        require(self.eval_split_size >= 0, "eval_split_size", f"must be >= 0, got {self.eval_split_size}")
        require(self.min_audio_len <= self.max_audio_len, "min_audio_len", "must not exceed max_audio_len")
        require(self.min_text_len <= self.max_text_len, "min_text_len", "must not exceed max_text_len")
        for name in ("restore_new_symbols", "restore_new_speakers"):
            require(getattr(self, name) in ("mean", "random"), name, f"must be 'mean' or 'random', got {getattr(self, name)!r}")
        self._check_freezing(require)
        if self.use_phonemes:
            require(self.phoneme_language is not None or bool(self.languages), "phoneme_language", "must be set when use_phonemes is true")
        self.audio.check_values()

    def _check_freezing(self, require) -> None:
        """freeze_layers and unfreeze_schedule are well formed (the model checks that their patterns match)."""
        for index, pattern in enumerate(self.freeze_layers):
            ok = isinstance(pattern, str) and pattern != ""
            require(ok, "freeze_layers", f"entry {index} {pattern!r}: must be a non-empty pattern string")
        name = "unfreeze_schedule"
        needs = "needs freeze_layers: it unfreezes what those froze"
        require(not self.unfreeze_schedule or bool(self.freeze_layers), name, needs)
        previous_step = 0
        for index, entry in enumerate(self.unfreeze_schedule):
            where = f"entry {index} {entry!r}"
            ok = isinstance(entry, (list, tuple)) and len(entry) == 3
            require(ok, name, f"{where}: must be [start_step, [patterns...], lr_scale]")
            step, patterns, lr_scale = entry
            is_int = isinstance(step, int) and not isinstance(step, bool)
            require(is_int and step >= 0, name, f"{where}: start_step must be an integer >= 0")
            require(step >= previous_step, name, f"{where}: start_step is below the previous one ({previous_step})")
            strings = isinstance(patterns, (list, tuple)) and all(isinstance(p, str) and p for p in patterns)
            require(strings and len(patterns) > 0, name, f"{where}: patterns must be a non-empty list of strings")
            number = isinstance(lr_scale, (int, float)) and not isinstance(lr_scale, bool)
            require(number and 0 < lr_scale < math.inf, name, f"{where}: lr_scale must be a number > 0")
            previous_step = step


# Coqui's import paths: ``from TTS.tts.configs.shared_configs import BaseDatasetConfig`` (and the audio config)
__all__ = [
    "BaseAudioConfig",
    "BaseDatasetConfig",
    "BaseTTSConfig",
    "BaseTrainingConfig",
    "CapacitronVAEConfig",
    "CharactersConfig",
    "GSTConfig",
]
