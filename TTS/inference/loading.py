"""Loading the models of a Synthesizer: configs checked for synthesis, the TTS model, a vocoder model."""

import logging
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple

from TTS.config import MODEL_CONFIGS, ConfigError, config_from_dict, read_config_file
from TTS.inference.checks import PathLike, SynthesisError, UnsupportedVocoderError, check_speakers_file
from TTS.tts.models import MODELS as TTS_MODELS
from TTS.tts.models import setup_model
from TTS.utils.audio import AudioProcessor
from TTS.utils.audio.numpy_transforms import AudioError
from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreError, compare_state_dicts, restore_error_summary
from TTS.vocoder.models import setup_model as setup_vocoder_model
from TTS.vocoder.models.model_vocoder import ModelVocoder
from TTS.vocoder.utils.generic_utils import generator_hop_problem, mel_settings_problem

logger = logging.getLogger("TTS.utils.synthesizer")  # the name Coqui's users and the benchmarks filter on


def load_synthesis_config(path: Path, vocoder: bool = False):
    """A model's config for synthesis: ``load_config``'s checks, and its ``audio`` section must be there.

    Training may fill in default audio settings; synthesis with them would silently give wrong,
    quieter sound (another normalisation or log base than the model was trained with). For a TTS
    model's config (``vocoder=False``) a vocoder's config is refused, naming the file.
    """
    what = "vocoder config" if vocoder else "config"
    data = read_config_file(path)
    model = data.get("model")
    if not vocoder and isinstance(model, str) and model.lower() in MODEL_CONFIGS:
        if model.lower() not in TTS_MODELS:
            raise ConfigError(
                f"{path} is a vocoder config ({model}), not a TTS model config; "
                "give it as the vocoder's config (vocoder_config_path) with the TTS model's own config.json"
            )
    config = config_from_dict(data, source=str(path))
    if not data.get("audio"):
        section = "an empty 'audio' section" if "audio" in data else "no 'audio' section"
        raise ConfigError(
            f"{what} {path} has {section}: the model's audio settings are needed to turn its output into sound "
            "(use the config.json the model was trained with)"
        )
    return config


def vocoder_support_problem(config_path: PathLike) -> Optional[str]:
    """Why the vocoder of ``config_path`` cannot be used (unknown architecture), or None when it can.

    Only the config's ``model`` field is read; a missing or malformed file is left to ``load_config``.
    """
    path = Path(config_path)
    try:
        model = read_config_file(path).get("model")
    except ConfigError:  # missing or malformed: loading the config reports it
        return None
    if isinstance(model, str) and model.lower() in TTS_MODELS:
        return f"{path} is the config of a TTS model ({model!r}), not of a vocoder"
    if not isinstance(model, str) or model.lower() not in MODEL_CONFIGS:
        known = ", ".join(sorted(set(MODEL_CONFIGS) - set(TTS_MODELS)))
        return f"vocoder architecture {model!r} of {path} is not supported (known models: {known})"
    return None


def side_files(config, prefix: str) -> List[Tuple[Path, str]]:
    """The speakers file and scale stats a config points at."""
    files = []
    if getattr(config, "speakers_file", None):
        files.append((Path(config.speakers_file), f"{prefix}speakers file"))
    audio = getattr(config, "audio", None)
    if getattr(audio, "stats_path", None):
        files.append((Path(audio.stats_path), f"{prefix}scale stats file"))
    return files


def load_tts_model(checkpoint_path: Path, config_path: Path, speakers_file: Optional[PathLike]):
    """The TTS model of a checkpoint and its config, in eval mode, with its config; errors name the files."""
    config = load_synthesis_config(config_path)
    if speakers_file is not None:
        if Path(speakers_file).is_dir():
            raise SynthesisError(f"speakers file {speakers_file} is a folder, not a file")
        if not Path(speakers_file).is_file():
            raise FileNotFoundError(f"speakers file not found: {speakers_file}")
        check_speakers_file(speakers_file)
        if not getattr(config, "use_speaker_embedding", False):
            raise SynthesisError(f"speakers file {speakers_file}: the model has no speakers (single-speaker model)")
        config.speakers_file = str(speakers_file)
    elif getattr(config, "use_speaker_embedding", False) and getattr(config, "speakers_file", None):
        if Path(config.speakers_file).is_file():  # a missing one is reported by the model, naming the field
            check_speakers_file(config.speakers_file)
    try:
        model = setup_model(config)
    except AudioError as err:  # e.g. a missing scale stats file
        raise AudioError(f"config {config_path}: {err}") from None
    except (ConfigError, FileNotFoundError) as err:  # a field the model cannot use (phonemizer, speakers_file)
        if str(config_path) in str(err):
            raise
        raise ConfigError(f"{config_path}: {err}") from None
    checkpoint = load_checkpoint_file(checkpoint_path)
    checkpoint["model"] = model.upgrade_state_dict(checkpoint["model"])  # Glow-TTS: older weight-norm keys
    report = compare_state_dicts(model.state_dict(), checkpoint["model"])
    if not report.complete and not getattr(config, "allow_partial_restore", False):
        problems = [f"{len(report.shape_mismatch)} tensors of another shape"] if report.shape_mismatch else []
        problems += [f"{len(report.missing)} missing"] if report.missing else []
        problems += [f"{len(report.unexpected)} unexpected"] if report.unexpected else []
        example = ""
        if report.shape_mismatch:
            key, model_shape, checkpoint_shape = report.shape_mismatch[0]
            example = f" (e.g. {key}: {tuple(checkpoint_shape)} in the checkpoint, {tuple(model_shape)} for the config)"
        raise SynthesisError(
            f"checkpoint {checkpoint_path} does not match its config {config_path}: {', '.join(problems)}{example}"
        )
    model.load_state_dict(checkpoint["model"])
    model.on_checkpoint_loaded(checkpoint)
    model.eval()
    return model.config, model


def load_model_vocoder(
    checkpoint_path: Path, config_path: Path, *, tts_ap, tts_source: str, setup: Callable = setup_vocoder_model
) -> Tuple[Any, ModelVocoder]:
    """The vocoder config and the ``ModelVocoder`` of a generator checkpoint, checked against the TTS model's mel
    settings (``tts_ap``, read from ``tts_source``); ``setup`` builds the generator from its config."""
    for path, what in ((checkpoint_path, "vocoder checkpoint"), (config_path, "vocoder config")):
        if path.is_dir():
            raise SynthesisError(f"{what} {path} is a folder, not a file")
        if not path.is_file():
            raise FileNotFoundError(f"{what} not found: {path}")
    problem = vocoder_support_problem(config_path)
    if problem is not None:
        raise UnsupportedVocoderError(problem)
    vocoder_config = load_synthesis_config(config_path, vocoder=True)
    vocoder_model = setup(vocoder_config)
    try:
        vocoder_model.load_checkpoint(vocoder_config, str(checkpoint_path), eval=True)
    except RestoreError as err:
        raise SynthesisError(
            f"vocoder checkpoint {checkpoint_path} does not match its config {config_path}: "
            + restore_error_summary(str(err))
        ) from None
    try:
        vocoder_ap = AudioProcessor.init_from_config(vocoder_config)
    except AudioError as err:
        raise AudioError(f"vocoder config {config_path}: {err}") from None
    problem = mel_settings_problem(
        tts_ap, vocoder_ap, tts_source=tts_source, vocoder_source=str(config_path)
    ) or generator_hop_problem(vocoder_model, vocoder_ap, vocoder_source=str(config_path))
    if problem is not None:
        raise SynthesisError(problem)
    logger.info("vocoder %s loaded (%d Hz)", config_path, vocoder_ap.sample_rate)
    return vocoder_config, ModelVocoder(model=vocoder_model, ap=vocoder_ap, source_ap=tts_ap)
