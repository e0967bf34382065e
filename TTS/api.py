"""The Python API.

    from TTS.api import TTS

    tts = TTS("tts_models/en/ljspeech/tacotron2-DDC")        # downloaded once into the model cache
    tts.tts_to_file(text="Hello world.", file_path="hello.wav")
    wav = tts.tts("Hello world.")                             # list of samples at tts.output_sample_rate
    tts = TTS(model_path="model.pth", config_path="config.json").to("cpu")

A zoo model comes with its registry entry's ``default_vocoder`` unless a vocoder is given; a
default vocoder that cannot be used (unknown architecture, not downloadable) is reported in one
log line and Griffin-Lim is used instead.
"""

import contextlib
import logging
import math
import os
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from torch import nn

from TTS.inference.checks import SynthesisError, check_pipe_out, parse_device
from TTS.inference.loading import vocoder_support_problem
from TTS.inference.synthesizer import Synthesizer
from TTS.utils.io import CheckpointError
from TTS.zoo.download import ModelDownloadError
from TTS.zoo.manager import MANAGER_ERRORS, ModelManager
from TTS.zoo.registry import iter_models

logger = logging.getLogger(__name__)

PathLike = Union[str, Path]


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _check_str(name: str, value: Any, *, optional: bool = True) -> None:
    """TypeError naming the argument unless ``value`` is a str (or None where allowed)."""
    if isinstance(value, str) or (optional and value is None):
        return
    hint = ""
    if isinstance(value, (bytes, bytearray)):
        hint = f"; decode it first: {name}.decode('utf-8')"
    elif isinstance(value, (list, tuple)) and name == "text":
        hint = "; join the sentences into one string (they are split again for synthesis)"
    elif name == "model_name":
        hint = " (a zoo name such as 'tts_models/en/ljspeech/tacotron2-DDC', or '' for the default model)"
    allowed = "a str or None" if optional else "a str"
    raise TypeError(f"{name} must be {allowed}, got {_type_name(value)}{hint}")


def _check_path(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path) or None, got {_type_name(value)}")


def _check_synthesis_args(text: Any, speaker: Any, language: Any, split_sentences: Any, batch_size: Any) -> None:
    """Clear errors for arguments of the wrong type, before any work (``tts`` and ``tts_to_file``)."""
    _check_str("text", text, optional=False)
    _check_str("speaker", speaker)
    _check_str("language", language)
    if not isinstance(split_sentences, bool):
        raise TypeError(f"split_sentences must be True or False, got {_type_name(split_sentences)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise TypeError(f"batch_size must be an int, got {_type_name(batch_size)} ({batch_size!r})")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")


#: Coqui's synthesis keywords for features the models of this package do not have
UNSUPPORTED_SYNTHESIS = {
    "speaker_wav": "voice cloning from a reference wav (XTTS, YourTTS)",
    "emotion": "emotion control",
}


def _check_unsupported(**given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            raise SynthesisError(f"{name}: the models of this package have no {UNSUPPORTED_SYNTHESIS[name]}")


def default_model_name(manager: ModelManager) -> str:
    """The ``tts_models`` entry of the registry marked ``"default": true``."""
    for name, entry in iter_models(manager.registry):
        if name.startswith("tts_models/") and entry.get("default") is True:
            return name
    raise SynthesisError(f"no model given and the registry {manager.models_file} marks no default model; name one")


#: ``vocoder_name`` that asks for Griffin-Lim instead of a neural vocoder (``tts --vocoder_name griffin_lim``).
GRIFFIN_LIM = "griffin_lim"


class TTS(nn.Module):
    """A TTS model (zoo name or files) with its vocoder, ready to synthesise.

    Parameters
    ----------
    model_name:
        Zoo name ``tts_models/<lang>/<dataset>/<model>``; empty for the registry's default model
        when no ``model_path`` is given either.
    model_path, config_path:
        A checkpoint and its config.json, instead of a zoo name.
    vocoder_name:
        Zoo name ``vocoder_models/...`` of the vocoder (default: the model's ``default_vocoder``), or
        ``"griffin_lim"`` for Griffin-Lim from the model's audio config.
    vocoder_path, vocoder_config_path:
        A vocoder checkpoint and its config, instead of a zoo name.
    speakers_file_path:
        speakers.json to use instead of the config's.
    progress_bar:
        Show download progress.
    gpu:
        Coqui's keyword: run on the GPU (``.to("cuda")``).
    encoder_path, encoder_config_path:
        Coqui's keywords for a speaker encoder, which this package does not have: a ``SynthesisError`` when given.

    Raises
    ------
    ModelNotFoundError, ModelDownloadError, RegistryError, ConfigError, CheckpointError,
    FileNotFoundError, SynthesisError
        The model cannot be found, fetched or loaded; the message says why in one line.
    TypeError
        An argument of the wrong type (``TTS(3)``); the message names it.
    """

    def __init__(
        self,
        model_name: str = "",
        *,
        model_path: Optional[PathLike] = None,
        config_path: Optional[PathLike] = None,
        vocoder_name: Optional[str] = None,
        vocoder_path: Optional[PathLike] = None,
        vocoder_config_path: Optional[PathLike] = None,
        speakers_file_path: Optional[PathLike] = None,
        progress_bar: bool = True,
        gpu: bool = False,
        encoder_path: Optional[PathLike] = None,
        encoder_config_path: Optional[PathLike] = None,
    ) -> None:
        super().__init__()
        if encoder_path is not None or encoder_config_path is not None:
            raise SynthesisError("encoder_path / encoder_config_path: this package has no speaker encoder models")
        _check_str("model_name", model_name, optional=False)
        _check_str("vocoder_name", vocoder_name)
        for name, value in (
            ("model_path", model_path),
            ("config_path", config_path),
            ("vocoder_path", vocoder_path),
            ("vocoder_config_path", vocoder_config_path),
            ("speakers_file_path", speakers_file_path),
        ):
            _check_path(name, value)
        self.manager = ModelManager(progress_bar=progress_bar)
        self.model_name: Optional[str] = None
        default_vocoder = None
        if model_path is not None:
            if model_name:
                raise SynthesisError("give a model name or a model path, not both")
            if config_path is None:
                raise SynthesisError("a model path needs its config (config_path, the model's config.json)")
            for path, what in ((model_path, "model file"), (config_path, "config file")):
                if Path(path).is_dir():
                    raise SynthesisError(f"{what} {path} is a folder, not a file")
                if not Path(path).is_file():
                    raise FileNotFoundError(f"{what} not found: {path}")
        else:
            model_path, config_path, default_vocoder = self._download_tts(model_name)
        if vocoder_name == GRIFFIN_LIM:  # asked for by name: no neural vocoder, not even the model's default
            if vocoder_path is not None:
                raise SynthesisError(f"give vocoder_name={GRIFFIN_LIM!r} or a vocoder path, not both")
        elif vocoder_path is None and vocoder_name is None and default_vocoder:
            vocoder_path, vocoder_config_path = self._default_vocoder(default_vocoder)
        elif vocoder_name:
            if vocoder_path is not None:
                raise SynthesisError("give a vocoder name or a vocoder path, not both")
            if not vocoder_name.startswith("vocoder_models/"):
                raise SynthesisError(
                    f"{vocoder_name!r} is not a vocoder name (vocoder_models/<lang>/<dataset>/<model>)"
                )
            vocoder_path, vocoder_config_path, _ = self.manager.download_model(vocoder_name)
        elif vocoder_path is not None and vocoder_config_path is None:
            raise SynthesisError("a vocoder path needs its config (vocoder_config_path)")
        try:
            self.synthesizer = Synthesizer(
                model_path,
                config_path,
                speakers_file_path,
                vocoder_checkpoint=vocoder_path,
                vocoder_config=vocoder_config_path,
            )
        except CheckpointError as err:
            raise CheckpointError(f"{err}{self._damaged_copy_hint(model_path, vocoder_path)}") from None
        if gpu:
            self.to("cuda")

    def _damaged_copy_hint(self, *paths: Optional[Path]) -> str:
        """How to replace a cached download whose file is unreadable (its size was right, its bytes were not)."""
        cache = Path(self.manager.output_prefix).resolve()
        for path in paths:
            if path is not None and cache in Path(path).resolve().parents:
                folder = Path(path).resolve().parent
                return f"; the downloaded copy is damaged: delete the folder {folder} to download it again"
        return ""

    def _download_tts(self, model_name: str) -> Tuple[Path, Path, Optional[str]]:
        defaulted = not model_name
        name = model_name or default_model_name(self.manager)
        if not name.startswith("tts_models/"):
            raise SynthesisError(f"{name!r} is not a TTS model name (tts_models/<lang>/<dataset>/<model>)")
        try:
            model_path, config_path, item = self.manager.download_model(name)
        except ModelDownloadError as err:
            if not defaulted:
                raise
            raise ModelDownloadError(f"no model given and the default model {name} is not available: {err}") from None
        self.model_name = name
        return model_path, config_path, item.get("default_vocoder")

    def _default_vocoder(self, name: str) -> Tuple[Optional[Path], Optional[Path]]:
        try:
            vocoder_path, vocoder_config_path, _ = self.manager.download_model(name)
        except MANAGER_ERRORS as err:
            logger.warning("default vocoder %s is not available (%s); using Griffin-Lim", name, err)
            return None, None
        problem = vocoder_support_problem(vocoder_config_path)
        if problem is not None:
            logger.warning("default vocoder %s: %s; using Griffin-Lim", name, problem)
            return None, None
        return vocoder_path, vocoder_config_path

    def to(self, *args, **kwargs) -> "TTS":
        """Move the models to a device (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``); returns ``self``.

        Raises
        ------
        ValueError
            A name that is not a supported torch device, or a device this machine does not have
            (``SynthesisError``, the same line as ``tts --device``).
        """
        device = args[0] if args else kwargs.get("device")
        if isinstance(device, (str, torch.device)):
            parse_device(device)
        return super().to(*args, **kwargs)

    # ------------------------------------------------------------------ listing
    @staticmethod
    def list_models() -> List[str]:
        """Names of every model of the registry (``$TTS_MODELS_FILE`` or the packaged one).

        Static, so both ``TTS.list_models()`` and Coqui's ``TTS(...).list_models()`` work."""
        return ModelManager(progress_bar=False).list_models()

    @property
    def speakers(self) -> Optional[List[str]]:
        """Speaker names of a multi-speaker model, None for a single-speaker one."""
        return self.synthesizer.speakers or None

    @property
    def languages(self) -> Optional[List[str]]:
        """Languages of a multilingual model, None otherwise."""
        return self.synthesizer.languages if self.is_multi_lingual else None

    @property
    def is_multi_speaker(self) -> bool:
        return bool(self.synthesizer.speakers)

    @property
    def is_multi_lingual(self) -> bool:
        return len(self.synthesizer.languages) > 1

    @property
    def output_sample_rate(self) -> int:
        return self.synthesizer.output_sample_rate

    # ------------------------------------------------------------------ synthesis
    def tts(
        self,
        text: str,
        speaker: Optional[str] = None,
        language: Optional[str] = None,
        split_sentences: bool = True,
        batch_size: int = 1,
        *,
        speaker_wav: Optional[PathLike] = None,
        emotion: Optional[str] = None,
        speed: Optional[float] = None,
    ) -> List[float]:
        """The waveform of ``text`` as a list of samples at ``output_sample_rate``.

        ``batch_size`` > 1 decodes that many sentences together: the same audio, sooner. ``speed`` (models with
        a duration predictor, Glow-TTS) scales the speaking rate: 1.2 is 20 % faster than the config's
        ``length_scale``, 0.8 slower; other models take None or 1.0 only. ``speaker_wav``, ``emotion``:
        Coqui's keywords for voice cloning and emotion control, which the models of this package do not
        have: None, or a ``SynthesisError``.

        Raises
        ------
        TypeError, ValueError
            An argument of the wrong type or value (``text`` not a str, ``batch_size`` < 1); the message names it.
        SynthesisError
            Empty or unspeakable text, an unknown speaker or language, a speaker for a single-speaker model.
        """
        _check_synthesis_args(text, speaker, language, split_sentences, batch_size)
        _check_unsupported(speaker_wav=speaker_wav, emotion=emotion)
        with self._speaking_rate(speed):
            return self.synthesizer.tts(
                text, speaker_name=speaker, language_name=language, split_sentences=split_sentences, batch_size=batch_size
            )

    @contextlib.contextmanager
    def _speaking_rate(self, speed: Optional[float]):
        """Divide the model's ``length_scale`` by ``speed`` for the duration of one synthesis."""
        if speed is None:
            yield
            return
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not math.isfinite(speed) or speed <= 0:
            raise ValueError(f"speed must be a positive number, got {speed!r}")
        model = self.synthesizer.tts_model
        if not hasattr(model, "length_scale"):
            if speed == 1.0:
                yield
                return
            raise SynthesisError(f"speed: {type(model).__name__} has no duration predictor to scale (Glow-TTS has)")
        saved = model.length_scale
        model.length_scale = saved / float(speed)
        try:
            yield
        finally:
            model.length_scale = saved

    def tts_stream(
        self,
        text: str,
        speaker: Optional[str] = None,
        language: Optional[str] = None,
        split_sentences: bool = True,
        batch_size: int = 1,
        *,
        speed: Optional[float] = None,
        max_audio_seconds: Optional[float] = None,
        should_stop: Optional[Callable[[], bool]] = None,
    ) -> Iterator[np.ndarray]:
        """The waveform of ``text`` as float arrays, sentence by sentence, each as soon as it is vocoded.

            for chunk in tts.tts_stream("First sentence. Second one."):
                player.write(chunk)                      # samples at tts.output_sample_rate

        Joined, the chunks are ``tts(text)`` sample for sample (each chunk after the first starts
        with the pause between sentences). The arguments are checked here, the text, speaker and
        language when the first chunk is asked for. ``speed``: as in ``tts``. ``max_audio_seconds`` and
        ``should_stop``: see ``Synthesizer.tts_stream``.

        Raises
        ------
        TypeError, ValueError
            An argument of the wrong type or value; the message names it.
        SynthesisError
            Empty or unspeakable text, an unknown speaker or language, audio over ``max_audio_seconds``.
        """
        _check_synthesis_args(text, speaker, language, split_sentences, batch_size)
        pieces = self.synthesizer.tts_stream(
            text,
            speaker_name=speaker,
            language_name=language,
            split_sentences=split_sentences,
            batch_size=batch_size,
            max_audio_seconds=max_audio_seconds,
            should_stop=should_stop,
        )
        return pieces if speed is None else self._stream_at_rate(speed, pieces)

    def _stream_at_rate(self, speed: float, pieces: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        with self._speaking_rate(speed):
            yield from pieces

    def tts_to_file(
        self,
        text: str,
        speaker: Optional[str] = None,
        language: Optional[str] = None,
        file_path: Optional[PathLike] = "output.wav",
        pipe_out: Optional[BinaryIO] = None,
        split_sentences: bool = True,
        batch_size: int = 1,
        *,
        speaker_wav: Optional[PathLike] = None,
        emotion: Optional[str] = None,
        speed: Optional[float] = None,
    ) -> Optional[PathLike]:
        """Synthesise ``text`` into a wav file and/or ``pipe_out`` (``sys.stdout.buffer``); returns ``file_path``.

        ``file_path`` is checked before synthesis and replaced in one step: a failed write leaves an
        existing file as it was.

        Raises
        ------
        TypeError, ValueError
            An argument of the wrong type or value (``file_path=None`` without ``pipe_out``, a text stream as
            ``pipe_out``); the message names it.
        SynthesisError
            ``file_path`` is a folder (or ends with a separator), in a missing folder or one of the model's files;
            the text cannot be synthesised.
        """
        _check_synthesis_args(text, speaker, language, split_sentences, batch_size)
        _check_unsupported(speaker_wav=speaker_wav, emotion=emotion)
        if file_path is None and pipe_out is None:
            raise ValueError("file_path is None and there is no pipe_out: nothing would be written; give a wav path")
        _check_path("file_path", file_path)
        if pipe_out is not None:
            check_pipe_out(pipe_out)
        problem = None if file_path is None else self.synthesizer.output_path_problem(file_path)
        if problem is not None:
            raise SynthesisError(f"file_path {os.fspath(file_path)!r} {problem}")
        wav = self.tts(
            text, speaker=speaker, language=language, split_sentences=split_sentences, batch_size=batch_size, speed=speed
        )
        self.synthesizer.save_wav(wav, file_path, pipe_out=pipe_out)
        return file_path
