"""The ``tts`` command.

This version lists the model registry; synthesis arrives with the Tacotron2
model and the Synthesizer. Until then a synthesis request ends with one clear
line on stderr and exit code 2, never a fake output file.
"""

import argparse
import json
import sys
from typing import List, Optional

from TTS import __version__
from TTS.utils.model_registry import REGISTRY_PATH, RegistryError, iter_models, load_registry

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tts",
        description="Synthesise speech from text with a Tacotron2 model.",
        epilog='Example: tts --text "Hello world." --out_path hello.wav',
    )
    parser.add_argument("--list_models", action="store_true", help="List the models of the registry and exit.")
    parser.add_argument("--json", action="store_true", help="With --list_models: print the listing as JSON.")
    parser.add_argument("--text", type=str, default=None, help="Text to synthesise.")
    parser.add_argument("--model_name", type=str, default=None, help="Registry name, e.g. tts_models/en/ljspeech/tacotron2-DDC.")
    parser.add_argument("--model_path", type=str, default=None, help="Path of a model checkpoint (with --config_path).")
    parser.add_argument("--config_path", type=str, default=None, help="Path of the model's config.json.")
    parser.add_argument("--out_path", type=str, default="tts_output.wav", help="Output wav file.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def list_models(as_json: bool) -> int:
    try:
        registry = load_registry(REGISTRY_PATH)
    except RegistryError as err:
        print(f"tts: {err}", file=sys.stderr)
        return 1
    models = list(iter_models(registry))
    if as_json:
        print(json.dumps([{"name": name, **entry} for name, entry in models], indent=2, ensure_ascii=False))
        return 0
    if not models:
        print("No models are registered yet.")
        return 0
    for index, (name, _) in enumerate(models, start=1):
        print(f" {index}: {name}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_models:
        return list_models(args.json)
    if args.text is None:
        print("tts: nothing to do: give --text \"...\" to synthesise, or --list_models", file=sys.stderr)
        return EXIT_USAGE
    print(
        "tts: synthesis is not available in this version: no Tacotron2 model or synthesizer is installed yet "
        "(see `tts --list_models`); nothing was written",
        file=sys.stderr,
    )
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
