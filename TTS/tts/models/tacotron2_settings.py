"""Settings of a Tacotron2 derived from its config: the gradual-training (r, batch size) schedule, the vocabulary
and speaker-table sizes, Coqui's ``aux_input`` form, and the fade of the attention prior.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple

from TTS.config.errors import ConfigError
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.utils.text.characters import characters_from_config
from TTS.tts.utils.text.tokenizer import TTSTokenizer


def gradual_training_step(schedule: Sequence[Sequence[int]], global_step: int) -> Tuple[int, int]:
    """``(r, batch_size)`` of the last ``[start_step, r, batch_size]`` entry that has started at ``global_step``."""
    current = schedule[0]
    for entry in schedule:
        if global_step >= entry[0]:
            current = entry
    return int(current[1]), int(current[2])


def layer_reduction_factor(config: Tacotron2Config) -> int:
    """The ``r`` the decoder's output layers are sized for: the largest the config reaches.

    Gradual training lowers ``config.r`` during a run (and configs saved after that carry the
    lower value), while the projection and stop layers keep the size of the first, largest ``r``:
    a config of any stage of the run builds layers its checkpoints fit.
    """
    return max([int(config.r)] + [int(entry[1]) for entry in config.gradual_training or []])


def schedule_from_r(schedule: Sequence[Sequence[int]], r: int) -> List[List[int]]:
    """The part of a gradual-training schedule still ahead of a model that already decodes ``r`` frames per step.

    Entries with a larger ``r`` are dropped and the first one kept starts at step 0, so a run
    restored from a checkpoint saved at ``r`` (whose step counter restarts) does not go back to
    coarser frames. ``[[0, 6, 16], [6000, 4, 24], [12000, 3, 32]]`` from r=4 is
    ``[[0, 4, 24], [12000, 3, 32]]``; a schedule whose every ``r`` is larger becomes ``[[0, r, first batch]]``.
    """
    kept = [[int(value) for value in entry] for entry in schedule if int(entry[1]) <= r]
    if not kept:
        return [[0, int(r), int(schedule[0][2])]]
    kept[0][0] = 0
    return kept


def run_schedule(config: Tacotron2Config) -> List[List[int]]:
    """The gradual-training schedule a run follows: ``config.gradual_training`` from
    ``gradual_training_start_r`` when set (``--restore_path`` sets it to the restored checkpoint's r),
    else whole (see ``schedule_from_r``). Empty without gradual training."""
    if not config.gradual_training:
        return []
    start_r = config.gradual_training_start_r
    return schedule_from_r(config.gradual_training, start_r) if start_r else [list(e) for e in config.gradual_training]


def set_vocabulary_size(config: Tacotron2Config, tokenizer: Optional[TTSTokenizer] = None) -> None:
    """Set ``config.num_chars`` (and ``config.characters`` when unset) from the tokenizer or the vocabulary the
    config describes: Coqui's ``Tacotron2(config)`` sizes the embedding that way (no phonemizer needed)."""
    if tokenizer is not None:
        config.num_chars = tokenizer.characters.num_chars
        return
    characters, characters_config = characters_from_config(config.characters, use_phonemes=config.use_phonemes)
    if config.characters is None:
        config.characters = characters_config
    config.num_chars = characters.num_chars


def speaker_rows(config: Tacotron2Config, speaker_names: Sequence[str], speaker_manager: Any = None) -> int:
    """Rows of the speaker embedding: one per named speaker, else the speaker manager's ``num_speakers``, else
    ``config.num_speakers`` when above 1 (Coqui's unnamed speakers); 0 when nothing says."""
    if speaker_names:
        return len(speaker_names)
    if speaker_manager is not None and getattr(speaker_manager, "num_speakers", 0):
        return int(speaker_manager.num_speakers)
    num_speakers = int(getattr(config, "num_speakers", 1) or 1)
    return num_speakers if num_speakers > 1 else 0


def aux_inputs(aux_input: Optional[Dict[str, Any]], **ours: Any) -> Dict[str, Any]:
    """Merge Coqui's ``aux_input`` dict into this package's keyword inputs (``speaker_ids``, ``text_lengths``).

    ``aux_input`` keys: ``speaker_ids``, ``x_lengths`` (``text_lengths``) and ``d_vectors`` (ignored, as Coqui's
    Tacotron2 does without ``use_d_vector_file``, which this package rejects). Giving the same input both ways is
    a ``TypeError``.
    """
    if not aux_input:
        return ours
    known = {"speaker_ids": "speaker_ids", "x_lengths": "text_lengths", "d_vectors": None}
    unsupported = {"style_mel": "GST / Capacitron style", "style_text": "Capacitron style", "language_ids": "languages"}
    for key, value in aux_input.items():
        if key in unsupported and value is not None:
            raise ConfigError(f"aux_input '{key}': this Tacotron2 has no {unsupported[key]} input")
        if key not in known and key not in unsupported:
            raise TypeError(f"aux_input: unknown key {key!r}; known keys: {', '.join(known)}")
        target = known.get(key)
        if target is None or value is None:
            continue
        if ours.get(target) is not None:
            raise TypeError(f"{target} given twice (as a keyword and in aux_input as {key!r})")
        ours[target] = value
    return ours


def attention_prior_weight(until_step: int, fade_steps: int, global_step: int) -> float:
    """Exponent of the attention prior at ``global_step``: 1, then falling linearly to 0 over the
    ``fade_steps`` before ``until_step``, and 0 from ``until_step`` on."""
    if global_step >= until_step:
        return 0.0
    if global_step < until_step - fade_steps:
        return 1.0
    return (until_step - global_step) / fade_steps
