"""What the command-line programs share (``tts``, ``tts-server``): one-line usage errors, ``--device``, the model
named by the flags. Above the API, below the programs in ``TTS/bin`` and the server.
"""

import argparse

import torch

from TTS.api import TTS
from TTS.errors import TTSError
from TTS.inference.checks import UnknownDeviceError
from TTS.inference.checks import parse_device as _parse_device

EXIT_USAGE = 2


class UsageError(TTSError):
    """A combination of flags that makes no sense; reported with exit code 2."""


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, ``<prog>: error: <message> (see <prog> --help)``."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, usage_error_line(self.prog, message))


def usage_error_line(prog: str, message: str) -> str:
    return f"{prog}: error: {message} (see {prog} --help)\n"


def parse_device(name: str) -> torch.device:
    """The torch device of ``--device`` (see ``TTS.inference.checks.parse_device``); a name that is no
    supported device is a usage error, one this machine lacks a ``SynthesisError``."""
    try:
        return _parse_device(name, "--device")
    except UnknownDeviceError as err:
        raise UsageError(str(err)) from None


def load_api(args: argparse.Namespace, device: torch.device) -> TTS:
    """The model, vocoder and speakers named by the parsed flags (``tts``'s or ``tts-server``'s), on ``device``."""
    api = TTS(
        args.model_name or "",
        model_path=args.model_path,
        config_path=args.config_path,
        vocoder_name=args.vocoder_name,
        vocoder_path=args.vocoder_path,
        vocoder_config_path=args.vocoder_config_path,
        speakers_file_path=args.speakers_file_path,
        progress_bar=args.progress_bar,
    )
    return api.to(device)
