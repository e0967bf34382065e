"""Text in, waveform out: a TTS model and a vocoder behind one call.

Data flow of ``Synthesizer.tts``::

    text -> sentences (abbreviation-aware splitter; punctuation-only chunks dropped)
         -> token ids (the model's tokenizer; unspeakable sentences skipped)
         -> Tacotron2, one sentence at a time or in batches of sentences, each with a decoder
            step limit proportional to its token count
         -> mel spectrograms -> Griffin-Lim (the model's audio config) or a vocoder model
         -> trailing silence trimmed -> sentences joined with a short pause

A vocoder model gets the mel the way its own audio config normalises it: denormalised with
the TTS model's AudioProcessor, normalised with the vocoder's, and stretched along time when
the sample rates differ.
"""

import io
import json
import logging
import math
import os
import secrets
import shutil
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from TTS.config import MODEL_CONFIGS, ConfigError, config_from_dict, read_config_file
from TTS.errors import TTSError
from TTS.tts.models import MODELS as TTS_MODELS
from TTS.tts.models import setup_model
from TTS.tts.models.glow_tts import OutputTooLongError
from TTS.tts.utils.text.control_chars import remove_control_characters, strip_control_characters
from TTS.tts.utils.text.sentences import is_speakable, split_into_sentences
from TTS.utils.audio import AudioProcessor
from TTS.utils.audio.numpy_transforms import AudioError
from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreError, compare_state_dicts, restore_error_summary
from TTS.vocoder.models import setup_model as setup_vocoder_model
from TTS.vocoder.utils.generic_utils import generator_hop_problem, interpolate_vocoder_input, mel_settings_problem

logger = logging.getLogger(__name__)

PathLike = Union[str, Path]

#: Decoder step limit of a sentence: this many seconds of audio per input token (about three
#: times a slow reading pace), so that a sentence whose stop token never fires ends soon.
MAX_SECONDS_PER_TOKEN = 0.25
#: Lowest step limit of a sentence, in seconds of audio.
MIN_SECONDS_PER_SENTENCE = 0.5
#: Least audio a token gives (a fast reader's pace): a text whose tokens alone promise more than a
#: request's ``max_audio_seconds`` is refused before it is decoded.
MIN_SECONDS_PER_TOKEN = 0.04
#: Silence put between the sentences of a text, in seconds.
SENTENCE_PAUSE_S = 0.3
#: How ``Synthesizer.tts`` reports a sentence whose decoding did not end by its stop token (a
#: warning, args: frames, sentence) or was ended by ``stop_after_text_end_frames`` (info, args:
#: sentence, frames). Tools that count them match these format strings (``record.msg``).
STEP_LIMIT_WARNING = (
    "decoder step limit reached before the stop token (%d frames) in sentence %r: its audio may be cut or noisy"
)
TEXT_END_NOTE = "stop_after_text_end_frames ended sentence %r (%d frames): its stop token had not fired"
# Audio settings that decide how a mel spectrogram is normalised.
NORMALISATION_FIELDS = (
    "signal_norm", "symmetric_norm", "max_norm", "clip_norm", "min_level_db", "ref_level_db",
    "spec_gain", "log_func", "do_amp_to_db_mel", "stats_path",
)  # fmt: skip
DEVICES = "cpu, cuda, cuda:N or mps"


class SynthesisError(TTSError, ValueError):
    """Text that cannot be synthesised, or a model that cannot be used; the message is one line."""


class AudioLimitError(SynthesisError):
    """A request whose audio would be longer than its ``max_audio_seconds``."""


class SynthesisCancelled(Exception):
    """The caller's ``should_stop`` asked to stop (a client that went away); not an error of the text."""


def _check_stop(should_stop: Optional[Callable[[], bool]]) -> None:
    if should_stop is not None and should_stop():
        raise SynthesisCancelled("synthesis cancelled between sentences")


class UnsupportedVocoderError(SynthesisError):
    """A vocoder whose architecture (its config's ``model``) this package does not implement."""


class UnknownDeviceError(SynthesisError):
    """A device name that is not a torch device this package runs on (``xpu``, ``toaster``)."""


def parse_device(name: Union[str, torch.device], label: str = "device") -> torch.device:
    """The torch device ``name`` names: cpu, cuda, cuda:N (an existing GPU) or mps, when available here.

    ``label`` names the argument in messages (``--device`` for the command line).

    Raises
    ------
    UnknownDeviceError
        Not a torch device, or one this package does not run on.
    SynthesisError
        A device this machine does not have.
    """
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError, TypeError):
        raise UnknownDeviceError(f"{label} {str(name)!r} is not a torch device; use {DEVICES}") from None
    if device.type not in ("cpu", "cuda", "mps"):
        raise UnknownDeviceError(f"{label} {str(name)!r} is not supported; use {DEVICES}")
    backend = {"cuda": torch.cuda, "mps": getattr(torch.backends, "mps", None)}.get(device.type)
    if backend is not None and not backend.is_available():
        raise SynthesisError(f"{label} {str(name)!r}: device {device.type} is not available on this machine; use cpu")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise SynthesisError(
            f"{label} {str(name)!r}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}"
        )
    return device


def check_pipe_out(pipe_out: Any) -> None:
    """Raise unless wav bytes can be written to ``pipe_out``; called before anything is synthesised or written.

    Raises
    ------
    TypeError
        Not a file object, or a text stream (``sys.stdout``, ``io.StringIO``).
    ValueError
        A closed stream, or one not open for writing.
    """
    if not callable(getattr(pipe_out, "write", None)):
        raise TypeError(
            f"pipe_out must be a binary file object (e.g. sys.stdout.buffer), got {type(pipe_out).__name__}"
        )
    if isinstance(pipe_out, io.TextIOBase):
        raise TypeError(
            f"pipe_out is a text stream ({type(pipe_out).__name__}); wav bytes need a binary one "
            "(sys.stdout.buffer, io.BytesIO, a file opened with 'wb')"
        )
    if getattr(pipe_out, "closed", False):
        raise ValueError("pipe_out is closed")
    writable = getattr(pipe_out, "writable", None)
    if callable(writable) and not writable():
        raise ValueError("pipe_out is not open for writing")


def output_path_problem(path: PathLike, protected: Sequence[Tuple[Optional[PathLike], str]] = ()) -> Optional[str]:
    """Why a wav cannot be written to ``path`` (checked before any synthesis), or None when it can.

    ``protected`` pairs files that must never be overwritten (the model's own) with what they are.
    The answer leaves out the path itself: callers say which argument it came from. The folder is
    checked by creating (and removing) an empty hidden file in it, so a folder that refuses new
    files (``/proc``, a read-only mount, even for root) is reported before the synthesis.
    """
    text = os.fspath(path)
    if not text:
        return "is empty; give a wav file name"
    if os.path.isdir(text):
        return "is a folder; give a wav file name"
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep, "/") if sep)):
        return "ends with a path separator, so it names a folder; give a wav file name"
    for other, what in protected:
        if other is not None and _same_file(text, os.fspath(other)):
            return f"is the model's {what}; writing the wav there would destroy it"
    if os.path.exists(text) and not os.path.isfile(text):
        return None  # /dev/stdout, a named pipe: written in place
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        existing = folder
        while not os.path.exists(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)
        if os.path.exists(existing) and not os.path.isdir(existing):
            return f"cannot be written: {existing} is a file, not a folder"
        return f"cannot be written: folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be written: folder {folder} is not writable"
    return _folder_write_problem(folder)


def _folder_write_problem(folder: str) -> Optional[str]:
    """Why no new file can be made in ``folder`` (tried with an empty hidden file, removed at once), or None."""
    probe = os.path.join(folder, f".tts-write-check.{secrets.token_hex(4)}")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as err:
        return f"cannot be written: folder {folder} takes no new files ({err.strerror or err})"
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (through symlinks, or hard links of an existing file)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def check_speakers_file(path: PathLike) -> None:
    """Raise ``SynthesisError`` naming ``path`` unless it is JSON mapping speaker names to integer ids."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SynthesisError(f"speakers file {path} is not a text file (UTF-8 JSON)") from None
    except json.JSONDecodeError as err:
        raise SynthesisError(f"speakers file {path} is not valid JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(mapping, dict):
        raise SynthesisError(
            f"speakers file {path} holds a JSON {type(mapping).__name__}; expected an object of speaker name -> id"
        )
    bad = [name for name, value in mapping.items() if not isinstance(value, int) or isinstance(value, bool)]
    if bad:
        raise SynthesisError(f"speakers file {path}: speaker {bad[0]!r} has id {mapping[bad[0]]!r}, not an integer")


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


class DecodedSentence(NamedTuple):
    """The mel spectrogram of one sentence and how its decoding ended.

    ``stop_reached`` is False where the step limit cut it; ``text_end_stop`` is True where the
    model's ``stop_after_text_end_frames`` ended it because its stop token had not fired.
    Shapes: mel (T, C_mel).
    """

    mel: np.ndarray
    stop_reached: bool
    text_end_stop: bool


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


class Synthesizer(nn.Module):
    """A TTS model (and optionally a vocoder model) loaded for synthesis.

    Parameters
    ----------
    tts_checkpoint, tts_config_path:
        Model checkpoint (ours or Coqui's) and its config.json.
    tts_speakers_file:
        speakers.json to use instead of the config's ``speakers_file``.
    vocoder_checkpoint, vocoder_config:
        A vocoder model; None for Griffin-Lim from the TTS model's audio config.
    device:
        Where the models run.
    max_seconds_per_token, min_seconds_per_sentence:
        Decoder step limit of a sentence (see ``MAX_SECONDS_PER_TOKEN``); never above the model's
        ``max_decoder_steps`` (from its config).
    use_cuda, tts_languages_file, encoder_checkpoint, encoder_config, vc_checkpoint, vc_config, model_dir, voice_dir:
        Coqui's keywords: ``use_cuda=True`` is ``device="cuda"``; an empty string is the same as None (as
        in Coqui); the others name models this package does not have (multilingual, speaker encoder, voice
        conversion, XTTS) and are a ``SynthesisError`` when given.

    Raises
    ------
    ConfigError, CheckpointError, FileNotFoundError, SynthesisError
        A file is missing or malformed, the checkpoint does not match its config, the vocoder is
        not supported; the message is one line.
    """

    def __init__(
        self,
        tts_checkpoint: Optional[PathLike] = None,
        tts_config_path: Optional[PathLike] = None,
        tts_speakers_file: Optional[PathLike] = None,
        vocoder_checkpoint: Optional[PathLike] = None,
        vocoder_config: Optional[PathLike] = None,
        *,
        device: Union[str, torch.device] = "cpu",
        max_seconds_per_token: float = MAX_SECONDS_PER_TOKEN,
        min_seconds_per_sentence: float = MIN_SECONDS_PER_SENTENCE,
        use_cuda: bool = False,
        tts_languages_file: Optional[PathLike] = None,
        encoder_checkpoint: Optional[PathLike] = None,
        encoder_config: Optional[PathLike] = None,
        vc_checkpoint: Optional[PathLike] = None,
        vc_config: Optional[PathLike] = None,
        model_dir: Optional[PathLike] = None,
        voice_dir: Optional[PathLike] = None,
    ) -> None:
        super().__init__()
        # Coqui's keywords (its older releases default them to "")
        for name, value, what in (
            ("tts_languages_file", tts_languages_file, "multilingual models"),
            ("encoder_checkpoint", encoder_checkpoint, "a speaker encoder"),
            ("encoder_config", encoder_config, "a speaker encoder"),
            ("vc_checkpoint", vc_checkpoint, "voice conversion models"),
            ("vc_config", vc_config, "voice conversion models"),
            ("model_dir", model_dir, "XTTS / Tortoise / Bark models (model_dir)"),
            ("voice_dir", voice_dir, "voice cloning models (voice_dir)"),
        ):
            if value not in (None, ""):
                raise SynthesisError(f"{name}: this package has no {what}")
        if use_cuda:
            if str(device) != "cpu":
                raise SynthesisError(f"give use_cuda=True or device={str(device)!r}, not both")
            device = "cuda"
        tts_speakers_file = tts_speakers_file or None
        vocoder_checkpoint, vocoder_config = vocoder_checkpoint or None, vocoder_config or None
        if not tts_checkpoint or not tts_config_path:
            raise SynthesisError("a TTS model is needed: tts_checkpoint and tts_config_path (its config.json)")
        self.max_seconds_per_token = max_seconds_per_token
        self.min_seconds_per_sentence = min_seconds_per_sentence
        self.tts_config_path = str(tts_config_path)
        self.tts_config, self.tts_model = self._load_tts(Path(tts_checkpoint), Path(tts_config_path), tts_speakers_file)
        #: The files the models were read from, with what they are: never to be overwritten by an output.
        self.model_files: List[Tuple[Path, str]] = [
            (Path(tts_checkpoint), "checkpoint"),
            (Path(tts_config_path), "config"),
            *self._side_files(self.tts_config, ""),
        ]
        self.vocoder_config = self.vocoder_model = self.vocoder_ap = None
        if (vocoder_checkpoint is None) != (vocoder_config is None):
            raise SynthesisError(
                "a vocoder needs both its checkpoint and its config (vocoder_path and vocoder_config_path)"
            )
        if vocoder_checkpoint is not None:
            self._load_vocoder(Path(vocoder_checkpoint), Path(vocoder_config))
            self.model_files += [
                (Path(vocoder_checkpoint), "vocoder checkpoint"),
                (Path(vocoder_config), "vocoder config"),
                *self._side_files(self.vocoder_config, "vocoder "),
            ]
        self.to(parse_device(device))

    # ------------------------------------------------------------------ loading
    @staticmethod
    def _side_files(config, prefix: str) -> List[Tuple[Path, str]]:
        """The speakers file and scale stats a config points at."""
        files = []
        if getattr(config, "speakers_file", None):
            files.append((Path(config.speakers_file), f"{prefix}speakers file"))
        audio = getattr(config, "audio", None)
        if getattr(audio, "stats_path", None):
            files.append((Path(audio.stats_path), f"{prefix}scale stats file"))
        return files

    @staticmethod
    def _load_tts(checkpoint_path: Path, config_path: Path, speakers_file: Optional[PathLike]):
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
        if hasattr(model, "upgrade_state_dict"):  # Glow-TTS: weight-norm keys of older torch versions
            checkpoint["model"] = model.upgrade_state_dict(checkpoint["model"])
        report = compare_state_dicts(model.state_dict(), checkpoint["model"])
        if not report.complete and not getattr(config, "allow_partial_restore", False):
            problems = [f"{len(report.shape_mismatch)} tensors of another shape"] if report.shape_mismatch else []
            problems += [f"{len(report.missing)} missing"] if report.missing else []
            problems += [f"{len(report.unexpected)} unexpected"] if report.unexpected else []
            example = ""
            if report.shape_mismatch:
                key, model_shape, checkpoint_shape = report.shape_mismatch[0]
                example = (
                    f" (e.g. {key}: {tuple(checkpoint_shape)} in the checkpoint, {tuple(model_shape)} for the config)"
                )
            raise SynthesisError(
                f"checkpoint {checkpoint_path} does not match its config {config_path}: {', '.join(problems)}{example}"
            )
        model.load_state_dict(checkpoint["model"])
        model.on_checkpoint_loaded(checkpoint)
        model.eval()
        return model.config, model

    def _load_vocoder(self, checkpoint_path: Path, config_path: Path) -> None:
        for path, what in ((checkpoint_path, "vocoder checkpoint"), (config_path, "vocoder config")):
            if path.is_dir():
                raise SynthesisError(f"{what} {path} is a folder, not a file")
            if not path.is_file():
                raise FileNotFoundError(f"{what} not found: {path}")
        problem = vocoder_support_problem(config_path)
        if problem is not None:
            raise UnsupportedVocoderError(problem)
        self.vocoder_config = load_synthesis_config(config_path, vocoder=True)
        self.vocoder_model = setup_vocoder_model(self.vocoder_config)
        try:
            self.vocoder_model.load_checkpoint(self.vocoder_config, str(checkpoint_path), eval=True)
        except RestoreError as err:
            raise SynthesisError(
                f"vocoder checkpoint {checkpoint_path} does not match its config {config_path}: "
                + restore_error_summary(str(err))
            ) from None
        try:
            self.vocoder_ap = AudioProcessor.init_from_config(self.vocoder_config)
        except AudioError as err:
            raise AudioError(f"vocoder config {config_path}: {err}") from None
        problem = mel_settings_problem(
            self.tts_model.ap, self.vocoder_ap, tts_source=self.tts_config_path, vocoder_source=str(config_path)
        ) or generator_hop_problem(self.vocoder_model, self.vocoder_ap, vocoder_source=str(config_path))
        if problem is not None:
            raise SynthesisError(problem)
        logger.info("vocoder %s loaded (%d Hz)", config_path, self.vocoder_ap.sample_rate)

    def output_path_problem(self, path: PathLike) -> Optional[str]:
        """Why a wav cannot be written to ``path`` (see ``output_path_problem``; the model's files are protected)."""
        return output_path_problem(path, self.model_files)

    # ------------------------------------------------------------------ properties
    @property
    def device(self) -> torch.device:
        return next(self.tts_model.parameters()).device

    @property
    def output_sample_rate(self) -> int:
        return (self.vocoder_ap or self.tts_model.ap).sample_rate

    @property
    def speakers(self) -> List[str]:
        """Speaker names of a multi-speaker model in id order (empty for a single-speaker model)."""
        return list(self.tts_model.speaker_names) if self.tts_model.use_speaker_embedding else []

    @property
    def languages(self) -> List[str]:
        return list(getattr(self.tts_config, "languages", None) or [])

    # ------------------------------------------------------------------ text
    def _speaker_id(self, speaker_name: Optional[str]) -> Optional[int]:
        speakers = self.speakers
        if not speakers:
            if speaker_name:
                raise SynthesisError(f"speaker {speaker_name!r}: the model has no speakers (single-speaker model)")
            return None
        if not speaker_name:
            raise SynthesisError(f"multi-speaker model: choose a speaker, one of: {', '.join(speakers)}")
        if speaker_name not in speakers:
            raise SynthesisError(f"speaker {speaker_name!r} is not one of the model's: {', '.join(speakers)}")
        return speakers.index(speaker_name)

    def _language(self, language_name: Optional[str]) -> Optional[str]:
        if language_name and self.languages and language_name not in self.languages:
            raise SynthesisError(f"language {language_name!r} is not one of the model's: {', '.join(self.languages)}")
        return language_name or self.tts_model.language()

    def _token_ids(self, sentence: str, language: Optional[str]) -> Tuple[List[int], List[str]]:
        """Ids of a sentence, or no ids and the unknown characters when nothing of it can be spoken."""
        tokenizer = self.tts_model.tokenizer
        processed = tokenizer.process(sentence, language)
        if not any(char in tokenizer.characters and is_speakable(char) for char in processed):
            return [], [char for char in dict.fromkeys(processed) if char not in tokenizer.characters]
        return tokenizer.phonemes_to_ids(processed), []

    def sentence_step_limit(self, num_tokens: int) -> int:
        """Decoder steps a sentence of ``num_tokens`` tokens may take (blank tokens not counted)."""
        ap, decoder = self.tts_model.ap, self.tts_model.decoder
        if self.tts_model.tokenizer.add_blank:
            num_tokens = num_tokens // 2
        seconds = max(self.min_seconds_per_sentence, num_tokens * self.max_seconds_per_token)
        frames = seconds * ap.sample_rate / ap.hop_length
        return max(1, min(int(decoder.max_decoder_steps), math.ceil(frames / decoder.r)))

    # ------------------------------------------------------------------ model
    def synthesize_mels(
        self, token_ids: Sequence[Sequence[int]], speaker_id: Optional[int] = None, batch_size: int = 1
    ) -> List[DecodedSentence]:
        """Mel spectrograms of tokenised sentences, in order, with how each one ended.

        ``batch_size`` > 1 decodes sentences of similar lengths together (padding masked, each
        item stopping on its own); the mels equal one-by-one synthesis up to float rounding.

        Shapes
        ------
        token_ids: N lists of ids -> N ``DecodedSentence`` with mel (T_i, C_mel).
        """
        if hasattr(self.tts_model, "synthesize_batches"):  # Glow-TTS: durations set the length, no stop token
            try:
                mels = self.tts_model.synthesize_batches(token_ids, speaker_id, batch_size)
            except OutputTooLongError as err:
                raise SynthesisError(str(err)) from None
            return [DecodedSentence(mel, True, False) for mel in mels]
        if batch_size > 1 and self.tts_model.decoder.attention.windowing:
            logger.info("attention windowing follows a single item: synthesising one sentence at a time")
            batch_size = 1
        model, device = self.tts_model, self.device
        order = sorted(range(len(token_ids)), key=lambda i: -len(token_ids[i]))
        results: List[Optional[DecodedSentence]] = [None] * len(token_ids)
        for start in range(0, len(order), max(1, batch_size)):
            chunk = order[start : start + max(1, batch_size)]
            lengths = torch.tensor([len(token_ids[i]) for i in chunk], dtype=torch.long, device=device)
            text = torch.zeros(len(chunk), int(lengths.max()), dtype=torch.long, device=device)
            for row, index in enumerate(chunk):
                text[row, : len(token_ids[index])] = torch.as_tensor(token_ids[index], dtype=torch.long)
            limits = torch.tensor([self.sentence_step_limit(len(token_ids[i])) for i in chunk], device=device)
            speaker_ids = None if speaker_id is None else torch.full((len(chunk),), speaker_id, device=device)
            outputs = model.inference(
                text,
                text_lengths=lengths if len(chunk) > 1 else None,
                speaker_ids=speaker_ids,
                max_decoder_steps=limits,
            )
            for row, index in enumerate(chunk):
                length = int(outputs["lengths"][row])
                mel = outputs["model_outputs"][row, :length].float().cpu().numpy()
                results[index] = DecodedSentence(
                    mel, bool(outputs["stop_reached"][row]), bool(outputs["text_end_stop"][row])
                )
            if len(order) > len(chunk):  # long text: progress for `tts -v`
                logger.info("decoded %d of %d sentences", start + len(chunk), len(order))
        return results

    def vocode(self, mel: np.ndarray, phase_draw: Optional[np.ndarray] = None) -> np.ndarray:
        """Waveform of one mel spectrogram, normalised as the TTS model's audio config says.

        ``phase_draw`` fixes Griffin-Lim's random starting phases (``AudioProcessor.griffin_lim_phase_draw``).
        Shapes: mel (T, C_mel) -> (T_wav,).
        """
        tts_ap = self.tts_model.ap
        if self.vocoder_model is None:
            return tts_ap.inv_melspectrogram(mel.T, phase_draw=phase_draw)
        features = mel.T
        if any(getattr(tts_ap, name) != getattr(self.vocoder_ap, name) for name in NORMALISATION_FIELDS):
            features = self.vocoder_ap.normalize(tts_ap.denormalize(features))
        if self.vocoder_ap.sample_rate != tts_ap.sample_rate:  # Coqui's stretch by the sample-rate ratio
            features = interpolate_vocoder_input([1, self.vocoder_ap.sample_rate / tts_ap.sample_rate], features)
        else:
            features = torch.as_tensor(np.ascontiguousarray(features), dtype=torch.float32)[None]
        with torch.inference_mode():
            wav = self.vocoder_model.waveform(features.to(self.device))
        return wav.reshape(-1).float().cpu().numpy()

    def _trim(self, wav: np.ndarray) -> np.ndarray:
        if not self.tts_config.audio.do_trim_silence:
            return wav
        return wav[: (self.vocoder_ap or self.tts_model.ap).find_endpoint(wav)]

    # ------------------------------------------------------------------ text to speech
    def tts(
        self,
        text: str,
        speaker_name: Optional[str] = None,
        language_name: Optional[str] = None,
        split_sentences: bool = True,
        batch_size: int = 1,
        *,
        max_audio_seconds: Optional[float] = None,
        should_stop: Optional[Callable[[], bool]] = None,
    ) -> List[float]:
        """Synthesise ``text``; returns the waveform as a list of samples at ``output_sample_rate``.

        Parameters
        ----------
        speaker_name:
            Speaker of a multi-speaker model (see ``speakers``).
        language_name:
            Language of the text (default: the model's single language).
        split_sentences:
            Synthesise sentence by sentence (recommended: Tacotron2 drifts over long inputs).
        batch_size:
            Sentences decoded together; the audio is the same as one by one, faster on a CPU.
        max_audio_seconds, should_stop:
            See ``tts_stream``.

        Raises
        ------
        SynthesisError
            Empty or unspeakable text, an unknown speaker or language, audio over ``max_audio_seconds``.
        SynthesisCancelled
            ``should_stop`` answered True.
        """
        pieces = list(
            self.tts_stream(
                text,
                speaker_name,
                language_name,
                split_sentences,
                batch_size,
                max_audio_seconds=max_audio_seconds,
                should_stop=should_stop,
            )
        )
        return np.concatenate(pieces).tolist()

    def tts_stream(
        self,
        text: str,
        speaker_name: Optional[str] = None,
        language_name: Optional[str] = None,
        split_sentences: bool = True,
        batch_size: int = 1,
        *,
        max_audio_seconds: Optional[float] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        decoder: Optional[Callable[..., List[DecodedSentence]]] = None,
    ) -> Iterator[np.ndarray]:
        """The waveform of ``text`` sentence by sentence, each piece yielded as soon as it is vocoded.

        With ``batch_size`` 1 the first sentence is decoded alone (its audio comes after it), the
        others a few at a time; with ``batch_size`` > 1 all are decoded first, batched as ``tts``
        does, and then vocoded in order. Each piece after the first starts with the pause between
        sentences, so the pieces joined are ``tts(text)`` sample for sample. Griffin-Lim's starting
        phases are seeded from each sentence's tokens: the same request gives the same audio.
        The text, speaker and language are checked before the first piece (errors are raised by
        the first ``next``).

        Parameters
        ----------
        max_audio_seconds:
            Longest audio the request may give: refused before decoding when the tokens alone
            promise more (``MIN_SECONDS_PER_TOKEN`` each), and stopped while decoding when the
            decoded sentences reach it.
        should_stop:
            Asked between sentences; True ends the synthesis with ``SynthesisCancelled`` (a server
            whose client went away).
        decoder:
            Called instead of ``synthesize_mels`` (same arguments) for the sentences decoded one
            by one: a server decodes the sentences of concurrent requests together through it.

        Shapes
        ------
        yields: (T_i,) float arrays at ``output_sample_rate``.
        """
        text = remove_control_characters(text)
        language = self._language(language_name)
        speaker_id = self._speaker_id(speaker_name)
        spoken, token_ids = self._sentences(text, language, split_sentences)
        if max_audio_seconds is not None:
            self._check_audio_estimate(token_ids, max_audio_seconds)
        pause = np.zeros(int(SENTENCE_PAUSE_S * self.output_sample_rate))
        # Griffin-Lim is numpy work on one core per spectrogram: with several torch threads allowed,
        # that many sentences are inverted at once in threads (the FFTs release the GIL)
        workers = torch.get_num_threads() if self.vocoder_model is None else 1
        pool = ThreadPoolExecutor(workers) if workers > 1 and len(spoken) > 1 else None
        seconds = 0.0
        try:
            for group in self._decode_groups(len(spoken), batch_size, workers):
                _check_stop(should_stop)
                if batch_size == 1:  # one by one: a sentence's mel does not depend on the others
                    if decoder is not None:
                        mels = decoder([token_ids[i] for i in group], speaker_id)
                    else:
                        mels = [self.synthesize_mels([token_ids[i]], speaker_id)[0] for i in group]
                    if len(spoken) > 1:  # long text: progress for `tts -v`
                        logger.info("decoded %d of %d sentences", group[-1] + 1, len(spoken))
                else:
                    mels = self.synthesize_mels([token_ids[i] for i in group], speaker_id, batch_size)
                for index, decoded in zip(group, mels):
                    self._check_decoded(spoken[index], decoded)
                if max_audio_seconds is not None:
                    seconds += sum(self._mel_seconds(decoded.mel) for decoded in mels)
                    seconds += SENTENCE_PAUSE_S * sum(1 for index in group if index)
                    if seconds > max_audio_seconds:
                        raise AudioLimitError(
                            f"audio over the limit of {max_audio_seconds:g} s (max_audio_seconds) after "
                            f"{group[-1] + 1} of {len(spoken)} sentences; send a shorter text"
                        )
                draws = [self._phase_draw(token_ids[i], speaker_id, d.mel) for i, d in zip(group, mels)]
                mel_list = [decoded.mel for decoded in mels]
                wavs = pool.map(self.vocode, mel_list, draws) if pool else map(self.vocode, mel_list, draws)
                for index, wav in zip(group, wavs):
                    wav = self._trim(wav)
                    yield np.concatenate([pause, wav]) if index else wav
                    if index + 1 < len(spoken):
                        _check_stop(should_stop)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _decode_groups(count: int, batch_size: int, workers: int) -> List[List[int]]:
        """Sentence indices decoded (and then vocoded) together, in text order.

        ``batch_size`` > 1: all of them in one ``synthesize_mels`` call (its batches by length), as
        ever. One by one: the first alone, so that its audio comes first, then ``workers`` at a time
        (Griffin-Lim in threads); a sentence decoded alone gives the same mel in any group.
        """
        if batch_size > 1:
            return [list(range(count))]
        return [[0]] + [list(range(i, min(i + workers, count))) for i in range(1, count, workers)]

    def speakable_sentences(
        self, text: str, language_name: Optional[str] = None, split_sentences: bool = True
    ) -> List[str]:
        """The sentences ``tts_stream`` would yield one piece each for (a progress total); errors as ``tts``."""
        language = self._language(language_name)
        return self._sentences(strip_control_characters(text)[0], language, split_sentences, warn=False)[0]

    def _sentences(
        self, text: str, language: Optional[str], split_sentences: bool, warn: bool = True
    ) -> Tuple[List[str], List[List[int]]]:
        """The speakable sentences of ``text`` and their token ids; ``SynthesisError`` when there are none."""
        if split_sentences:
            sentences = split_into_sentences(text, language)
        else:
            sentences = [" ".join(text.split())] if is_speakable(text) else []
        if not sentences:
            what = "empty" if not text.strip() else "only punctuation and spaces"
            raise SynthesisError(f"nothing to synthesise: the text is {what}")
        spoken, token_ids, skipped, unknown = [], [], [], []
        for sentence in sentences:
            ids, missing = self._token_ids(sentence, language)
            if ids:
                spoken.append(sentence)
                token_ids.append(ids)
            else:
                skipped.append(sentence)
                unknown.extend(missing)
        if not token_ids:
            chars = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in dict.fromkeys(unknown) if not c.isspace())
            raise SynthesisError(
                f"nothing to synthesise: no character of the text is in the model's vocabulary (unknown: {chars})"
            )
        for sentence in skipped if warn else ():
            logger.warning("skipping sentence %r: none of its characters is in the model's vocabulary", sentence)
        return spoken, token_ids

    def _check_decoded(self, sentence: str, decoded: DecodedSentence) -> None:
        if not np.isfinite(decoded.mel).all():  # fp16 overflow on a GPU, say: Griffin-Lim would fail deep inside
            raise SynthesisError(
                f"the model's output for {sentence!r} holds NaN or infinite values "
                f"(device {self.device}, {next(self.tts_model.parameters()).dtype}); try --device cpu"
            )
        if not decoded.stop_reached:
            logger.warning(STEP_LIMIT_WARNING, decoded.mel.shape[0], sentence)
        elif decoded.text_end_stop:
            logger.info(TEXT_END_NOTE, sentence, decoded.mel.shape[0])

    def _mel_seconds(self, mel: np.ndarray) -> float:
        ap = self.tts_model.ap
        return mel.shape[0] * ap.hop_length / ap.sample_rate

    def estimated_seconds(self, token_ids: Sequence[Sequence[int]]) -> float:
        """The least audio the tokenised sentences will give (``MIN_SECONDS_PER_TOKEN`` each, blanks not counted)."""
        tokens = sum(len(ids) for ids in token_ids)
        if self.tts_model.tokenizer.add_blank:
            tokens //= 2
        return tokens * MIN_SECONDS_PER_TOKEN + SENTENCE_PAUSE_S * (len(token_ids) - 1)

    def _check_audio_estimate(self, token_ids: Sequence[Sequence[int]], max_audio_seconds: float) -> None:
        estimate = self.estimated_seconds(token_ids)
        if estimate > max_audio_seconds:
            raise AudioLimitError(
                f"text too long for the limit of {max_audio_seconds:g} s of audio (max_audio_seconds): "
                f"it would give at least {estimate:.0f} s; send a shorter text"
            )

    def _phase_draw(self, token_ids: Sequence[int], speaker_id: Optional[int], mel: np.ndarray) -> Optional[np.ndarray]:
        """Griffin-Lim's starting phases for a sentence, seeded from its tokens and speaker (None with a vocoder)."""
        if self.vocoder_model is not None:
            return None
        key = np.asarray([-1 if speaker_id is None else speaker_id, *token_ids], dtype=np.int64).tobytes()
        rng = np.random.default_rng(zlib.crc32(key))
        return rng.random((self.tts_model.ap.fft_size // 2 + 1, mel.shape[0]))

    def vocode_all(self, mels: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Waveforms of several mel spectrograms, equal to ``[vocode(mel) for mel in mels]``.

        Griffin-Lim is numpy and scipy work on one core per spectrogram; with more than one torch
        thread allowed, the spectrograms are inverted that many at a time in threads (the FFTs
        release the GIL). Their random starting phases are drawn beforehand, in order, so the
        output is the one of inverting them one after the other with the same numpy seed. A
        vocoder model runs them one by one (torch threads it already).
        """
        workers = min(torch.get_num_threads(), len(mels))
        if self.vocoder_model is not None or workers < 2:
            return [self.vocode(mel) for mel in mels]
        draws = [self.tts_model.ap.griffin_lim_phase_draw(mel.shape[0]) for mel in mels]
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(self.vocode, mels, draws))

    def save_wav(
        self, wav: Union[List[float], np.ndarray], path: Optional[PathLike], pipe_out: Optional[BinaryIO] = None
    ) -> None:
        """Write ``wav`` as 16-bit PCM to ``path`` and/or as wav bytes to ``pipe_out`` (e.g. ``sys.stdout.buffer``).

        ``path`` is replaced in one step: a failed write (a full disk, Ctrl-C) leaves an existing file as it was.

        Raises
        ------
        SynthesisError
            ``path`` is empty, a folder, in a missing folder or one of the model's own files.
        TypeError, ValueError
            ``pipe_out`` is not a binary stream open for writing (checked before anything is written).
        """
        if pipe_out is not None:
            check_pipe_out(pipe_out)
        if path is not None:
            problem = self.output_path_problem(path)
            if problem is not None:
                raise SynthesisError(f"output file {os.fspath(path)!r} {problem}")
        ap = self.vocoder_ap or self.tts_model.ap
        wav = np.asarray(wav, dtype=np.float64)
        if path is not None:
            ap.save_wav(wav, path, sr=self.output_sample_rate)
        if pipe_out is None:
            return
        with tempfile.TemporaryDirectory() as folder:
            source = Path(path) if path is not None else Path(folder) / "out.wav"
            if path is None:
                ap.save_wav(wav, source, sr=self.output_sample_rate)
            with open(source, "rb") as f:
                shutil.copyfileobj(f, pipe_out)
        pipe_out.flush()
