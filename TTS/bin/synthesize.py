"""The ``tts`` command: synthesise speech with a zoo model or local files, list models and speakers.

Flags and their meaning follow Coqui TTS's ``tts``. Quiet by default (warnings only; ``-v`` for
progress logs, ``-vv`` for debug logs). Exit codes: 0 on success, 1 with one line on stderr
when the model, the text or the output path cannot be used (checked before loading the model
where possible), 2 with one line ending ``(see tts --help)`` for a malformed command line or
flags that would be ignored, 141 (quietly) when the reader of a listing closes the pipe early
(``tts --list_models | head``).

    tts --text "Hello world." --out_path hello.wav
    tts --model_name tts_models/en/ljspeech/tacotron2-DDC --text "Hello." --pipe_out | aplay
    tts --model_path model.pth --config_path config.json --list_speaker_idxs
    tts --list_models [--json]
"""

import argparse
import codecs
import itertools
import json
import logging
import math
import os
import sys
from typing import Any, Dict, List, Optional

import torch

from TTS import __version__
from TTS.api import TTS
from TTS.command_line import EXIT_USAGE, OneLineErrorParser, UsageError, load_api, parse_device, usage_error_line
from TTS.errors import TTSError
from TTS.inference.checks import SynthesisError, output_path_problem
from TTS.tts.utils.text.phonemizers.espeak import UnsupportedLanguageError, espeak_languages
from TTS.tts.utils.text.sentences import is_speakable
from TTS.utils.wav_stream import pcm_pieces, wav_header
from TTS.zoo.manager import ModelManager

logger = logging.getLogger("TTS.bin.synthesize")

EXIT_ERROR = 1
# A listing cut short by its reader (`tts --list_models | head`): quiet, as a process killed by SIGPIPE.
EXIT_BROKEN_PIPE = 128 + 13
DEFAULT_OUT_PATH = "tts_output.wav"
# Sentences of a text decoded together: the same audio as one by one, several times sooner on a CPU.
CLI_BATCH_SIZE = 8
# Failures that are the user's input or files, reported in one line (with -vv, the traceback too).
USER_ERRORS = (TTSError, FileNotFoundError)
# Flags that only matter when synthesising (or listing a model's speakers), by argparse dest.
MODEL_FLAGS = (
    "model_name", "vocoder_name", "model_path", "config_path", "vocoder_path", "vocoder_config_path",
    "speakers_file_path", "device",
)  # fmt: skip
SYNTHESIS_FLAGS = ("text", "speaker_idx", "language_idx", "out_path", "pipe_out")
INFO_FIELDS = [
    ("model_type", "model type"),
    ("language", "language supported"),
    ("dataset", "dataset used"),
    ("model", "model name"),
    ("description", "description"),
    ("default_vocoder", "default_vocoder"),
    ("license", "license"),
    ("author", "author"),
    ("contact", "contact"),
    ("downloaded", "downloaded"),
    ("path", "path"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="tts",
        description="Synthesise speech from text with a Tacotron2 model (zoo name or local files).",
        epilog=(
            'Examples:\n  tts --text "Hello world." --out_path hello.wav\n'
            "  tts --list_models\n"
            '  tts --model_path model.pth --config_path config.json --text "Hi." --pipe_out > hi.wav'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing = parser.add_argument_group("listing")
    listing.add_argument("--list_models", action="store_true", help="List the registry's models and exit.")
    listing.add_argument("--json", action="store_true", help="With --list_models or --model_info_by_name: print JSON.")
    listing.add_argument(
        "--model_info_by_name", type=str, default=None, metavar="NAME", help="Show one model's registry entry."
    )
    listing.add_argument("--list_speaker_idxs", action="store_true", help="List the speakers of the model and exit.")

    model = parser.add_argument_group("model")
    model.add_argument(
        "--model_name", type=str, default=None,
        help="Zoo name type/language/dataset/model (default: the registry's default model).",
    )  # fmt: skip
    model.add_argument(
        "--vocoder_name", type=str, default=None,
        help="Zoo name of the vocoder (default: the model's), or 'griffin_lim' for Griffin-Lim instead.",
    )  # fmt: skip
    model.add_argument("--model_path", type=str, default=None, help="Model checkpoint (with --config_path).")
    model.add_argument("--config_path", type=str, default=None, help="The model's config.json.")
    model.add_argument(
        "--vocoder_path", type=str, default=None, help="Vocoder checkpoint (with --vocoder_config_path)."
    )
    model.add_argument("--vocoder_config_path", type=str, default=None, help="The vocoder's config.json.")
    model.add_argument(
        "--speakers_file_path", type=str, default=None, help="speakers.json to use instead of the config's."
    )
    model.add_argument("--device", type=str, default="cpu", help="Torch device to run on (default: cpu).")
    model.add_argument(
        "--progress_bar", action=argparse.BooleanOptionalAction, default=True, help="Show download progress."
    )

    synthesis = parser.add_argument_group("synthesis")
    synthesis.add_argument("--text", type=str, default=None, help="Text to synthesise.")
    synthesis.add_argument("--speaker_idx", type=str, default=None, help="Speaker name of a multi-speaker model.")
    synthesis.add_argument(
        "--language_idx", type=str, default=None, help="Language of the text (a multilingual model's)."
    )
    synthesis.add_argument(
        "--out_path",
        type=str,
        default=None,
        help=f"Output wav file (default: {DEFAULT_OUT_PATH}; with --pipe_out: none).",
    )
    synthesis.add_argument("--pipe_out", action="store_true", help="Write the wav bytes to stdout.")
    synthesis.add_argument(
        "--length_scale",
        type=float,
        default=None,
        help="Duration multiplier of models with a duration predictor (Glow-TTS): > 1 slower, < 1 faster "
        "(default: the model config's length_scale).",
    )

    parser.add_argument("-v", "--verbose", action="count", default=0, help="More logging (-v progress, -vv debug).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _configure_logging(verbosity: int) -> None:
    """Quiet: this package's warnings only (other libraries' errors); -v: progress; -vv: everything."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("tts: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel([logging.ERROR, logging.WARNING, logging.DEBUG][min(verbosity, 2)])
    logging.getLogger("TTS").setLevel([logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)])
    logging.captureWarnings(True)  # library warnings (librosa on very short audio, ...) only with -v


def _one_line(err: BaseException) -> str:
    message = str(err)
    if isinstance(err, UnsupportedLanguageError):
        message = _language_message(message)
    return "; ".join(line.strip() for line in message.splitlines() if line.strip()) or type(err).__name__


def _language_message(message: str) -> str:
    """The phonemizer's message with its Python-expression hint replaced by a few codes espeak-ng knows."""
    message = message.split(" (all codes:")[0]
    try:
        codes = list(espeak_languages())
    except Exception:  # noqa: BLE001 - espeak-ng itself unusable: the message stands without examples
        return message
    examples = [code for code in ("en-us", "en-gb", "es", "fr-fr", "de", "it", "pt", "nl") if code in codes]
    return f"{message} (espeak-ng knows {len(codes)} language codes, e.g. {', '.join(examples or codes[:6])})"


# ---------------------------------------------------------------------- listing
def list_models(manager: ModelManager, as_json: bool) -> int:
    infos = manager.list_models_info()
    if as_json:
        print(json.dumps(infos, indent=2, ensure_ascii=False))
        return 0
    print(" Name format: type/language/dataset/model")
    for index, info in enumerate(infos, start=1):
        if "embedded" in info:
            mark = " [installed with the package]"
        else:
            mark = " [already downloaded]" if info["downloaded"] else ""
        print(f" {index}: {info['model_name']}{mark}")
    return 0


def model_info(manager: ModelManager, name: str, as_json: bool) -> int:
    info: Dict[str, Any] = manager.model_info_by_name(name)
    _, info["language"], info["dataset"], info["model"] = info["model_name"].split("/")
    if as_json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    for key, label in INFO_FIELDS:
        if info.get(key) is not None:
            print(f" > {label} : {info[key]}")
    return 0


# ---------------------------------------------------------------------- synthesis
def _given(parser: argparse.ArgumentParser, args: argparse.Namespace, dests) -> List[str]:
    """The flags among ``dests`` set to something other than their default, as ``--name``."""
    return [f"--{dest}" for dest in dests if getattr(args, dest) != parser.get_default(dest)]


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Flags that would be silently ignored together are a usage error naming them."""
    info = args.model_info_by_name is not None
    if args.list_models and info:
        raise UsageError("give --list_models or --model_info_by_name, not both")
    if info and not args.model_info_by_name.strip():
        raise UsageError("--model_info_by_name: the model name is empty; give one of `tts --list_models`")
    listing = "--list_models" if args.list_models else "--model_info_by_name" if info else None
    if listing:
        ignored = _given(parser, args, ("list_speaker_idxs", *MODEL_FLAGS, *SYNTHESIS_FLAGS))
        if ignored:
            raise UsageError(f"{listing} only reads the registry: {', '.join(ignored)} would be ignored")
    elif args.json:
        raise UsageError("--json only applies to --list_models and --model_info_by_name")
    if args.list_speaker_idxs:
        ignored = _given(parser, args, SYNTHESIS_FLAGS)
        if ignored:
            raise UsageError(f"--list_speaker_idxs only lists speakers: {', '.join(ignored)} would be ignored")


def _check_args(args: argparse.Namespace) -> None:
    if args.model_path is not None and args.model_name is not None:
        raise UsageError("give --model_name or --model_path, not both")
    if (args.model_path is None) != (args.config_path is None):
        raise UsageError("--model_path and --config_path go together")
    if args.vocoder_config_path is not None and args.vocoder_path is None:
        raise UsageError("--vocoder_config_path needs --vocoder_path")
    if args.vocoder_path is not None and args.vocoder_name is not None:
        raise UsageError("give --vocoder_name or --vocoder_path, not both")
    if args.text is None and not args.list_speaker_idxs:
        raise UsageError(
            'nothing to do: give --text "...", or --list_models, --list_speaker_idxs, --model_info_by_name'
        )


def _check_text_file(path: Optional[str], flag: str) -> None:
    """A config or speakers file that exists but is not UTF-8 text (missing ones are reported by the loaders)."""
    if path is None or not os.path.isfile(path):
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        kind = "JSON" if flag == "--speakers_file_path" else "JSON/YAML"
        raise SynthesisError(f"{flag} {path} is not a text file (UTF-8 {kind})") from None
    except OSError as err:
        raise SynthesisError(f"{flag} {path} cannot be read: {err.strerror or err}") from None


def _out_path(args: argparse.Namespace) -> Optional[str]:
    return args.out_path if args.out_path is not None or args.pipe_out else DEFAULT_OUT_PATH


def _check_out_path(out_path: Optional[str], protected) -> None:
    if out_path is None:
        return
    problem = output_path_problem(out_path, protected)
    if problem is not None:
        raise SynthesisError(f"--out_path {out_path!r} {problem}")


def _check_before_loading(args: argparse.Namespace) -> torch.device:
    """Everything about the command line that can be checked without the model, so nothing is loaded in vain."""
    if args.text is not None and not is_speakable(args.text):
        what = "empty" if not args.text.strip() else "only punctuation and spaces"
        raise SynthesisError(f"nothing to synthesise: the text is {what}")
    device = parse_device(args.device)
    if args.pipe_out and getattr(sys.stdout, "buffer", None) is None:
        raise SynthesisError("--pipe_out: standard output is closed, there is nowhere to write the wav")
    if args.text is not None:
        files = (
            (args.model_path, "checkpoint (--model_path)"),
            (args.config_path, "config (--config_path)"),
            (args.vocoder_path, "vocoder checkpoint (--vocoder_path)"),
            (args.vocoder_config_path, "vocoder config (--vocoder_config_path)"),
            (args.speakers_file_path, "speakers file (--speakers_file_path)"),
        )
        _check_out_path(_out_path(args), files)
    for path, flag in (
        (args.config_path, "--config_path"),
        (args.vocoder_config_path, "--vocoder_config_path"),
        (args.speakers_file_path, "--speakers_file_path"),
    ):
        _check_text_file(path, flag)
    return device


def list_speakers(api: TTS) -> int:
    name = api.model_name or "this model"
    if not api.speakers:
        print(f"{name} is a single-speaker model: it has no speaker ids (--speaker_idx is not needed)")
        return 0
    print(f" > Available speaker ids ({name}); pass one with --speaker_idx:")
    for speaker in api.speakers:
        print(f"   {speaker}")
    return 0


def stream_to_stdout(api: TTS, args: argparse.Namespace, speed: Optional[float] = None) -> int:
    """``--pipe_out`` alone: a wav header for an unknown length, then each sentence's samples as they come.

    A player reading the pipe (``| aplay``) starts after the first sentence (decoded one by one, not
    in batches of ``CLI_BATCH_SIZE``: batches would wait for the longest sentence). The samples are 16-bit
    PCM with the gain set by the first sentence (``TTS.utils.wav_stream``); with ``--out_path`` too,
    the whole wav is written to both at the end instead, as before.
    """
    pieces = api.tts_stream(  # first audio soonest
        args.text, speaker=args.speaker_idx, language=args.language_idx, speed=speed
    )
    first = next(pieces)  # the text's errors before any byte is written
    out = sys.stdout.buffer
    try:
        out.write(wav_header(api.output_sample_rate))
        for pcm in pcm_pieces(itertools.chain([first], pieces)):
            out.write(pcm)
            out.flush()
    except OSError as err:
        pieces.close()
        raise SynthesisError(f"cannot write to stdout: {err.strerror or err}") from None
    return 0


def synthesise(api: TTS, args: argparse.Namespace) -> int:
    if args.speaker_idx and not api.speakers:
        raise SynthesisError("--speaker_idx: the model has no speakers (single-speaker model)")
    out_path = _out_path(args)
    _check_out_path(out_path, api.synthesizer.model_files)  # a zoo model's files are known once it is loaded
    speed = None
    if args.length_scale is not None:
        model = api.synthesizer.tts_model
        if not hasattr(model, "length_scale"):
            raise SynthesisError(f"--length_scale: {type(model).__name__} has no duration predictor (Glow-TTS has)")
        if not (args.length_scale > 0 and math.isfinite(args.length_scale)):
            raise SynthesisError(f"--length_scale must be a positive number, got {args.length_scale}")
        speed = model.length_scale / args.length_scale
    if args.pipe_out and out_path is None:
        return stream_to_stdout(api, args, speed)
    wav = api.tts(
        args.text, speaker=args.speaker_idx, language=args.language_idx, batch_size=CLI_BATCH_SIZE, speed=speed
    )
    try:
        api.synthesizer.save_wav(wav, out_path, pipe_out=sys.stdout.buffer if args.pipe_out else None)
    except OSError as err:
        raise SynthesisError(f"cannot write {out_path or 'to stdout'}: {err.strerror or err}") from None
    if out_path is not None and not args.pipe_out:
        print(f"Saved {out_path} ({len(wav) / api.output_sample_rate:.2f} s at {api.output_sample_rate} Hz)")
    return 0


def run(args: argparse.Namespace, parser: Optional[argparse.ArgumentParser] = None) -> int:
    _check_combinations(parser or build_parser(), args)
    if args.list_models or args.model_info_by_name is not None:
        manager = ModelManager(progress_bar=args.progress_bar)
        if args.list_models:
            code = list_models(manager, args.json)
        else:
            code = model_info(manager, args.model_info_by_name, args.json)
        if sys.stdout is not None:
            sys.stdout.flush()  # a closed pipe is reported here, not at exit
        return code
    _check_args(args)
    device = _check_before_loading(args)
    api = load_api(args, device)
    if args.list_speaker_idxs:
        return list_speakers(api)
    return synthesise(api, args)


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    try:
        return run(args, parser)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as err:
        sys.stderr.write(usage_error_line(parser.prog, str(err)))
        return EXIT_USAGE
    except USER_ERRORS as err:
        logger.debug("details", exc_info=True)
        print(f"tts: error: {_one_line(err)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("tts: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush to a closed pipe says nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real stdout (tests capture it)
        pass


if __name__ == "__main__":
    sys.exit(main())
