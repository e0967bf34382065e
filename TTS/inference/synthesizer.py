"""Text in, waveform out: a TTS model and a vocoder behind one call.

Data flow of ``Synthesizer.tts``::

    text -> sentences (abbreviation-aware splitter; punctuation-only chunks dropped)
         -> token ids (the model's tokenizer; unspeakable sentences skipped)
         -> the acoustic model (``AcousticModel``: Tacotron2, Glow-TTS), one sentence at a time or in
            batches of sentences, each with a frame limit proportional to its token count
         -> mel spectrograms -> the vocoder (``Vocoder``: Griffin-Lim from the model's audio config, or a model)
         -> trailing silence trimmed -> sentences joined with a short pause

The Synthesizer asks the models only what their interfaces (``TTS.tts.models.interface``,
``TTS.vocoder.interface``) state; loading is in ``TTS.inference.loading``, the checks of devices
and output files in ``TTS.inference.checks``.
"""

import logging
import math
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from TTS.inference.checks import (
    AudioLimitError,
    PathLike,
    SynthesisError,
    _check_stop,
    check_pipe_out,
    output_path_problem,
    parse_device,
    write_wav,
)
from TTS.inference.loading import load_model_vocoder, load_tts_model, side_files
from TTS.inference.sentences import decode_groups, sentences_and_tokens, token_ids_of
from TTS.tts.models.interface import DecodedMel, OutputTooLongError, synthesize_in_batches
from TTS.tts.utils.text.control_chars import remove_control_characters, strip_control_characters
from TTS.vocoder.griffin_lim import GriffinLimVocoder
from TTS.vocoder.interface import Vocoder
from TTS.vocoder.models import setup_model as setup_vocoder_model

logger = logging.getLogger("TTS.utils.synthesizer")  # the name Coqui's users and the benchmarks filter on

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

#: The mel of one sentence and how its decoding ended (``stop_reached``, ``text_end_stop``). Shapes: mel (T, C_mel).
DecodedSentence = DecodedMel


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
        self.tts_config, self.tts_model = load_tts_model(Path(tts_checkpoint), Path(tts_config_path), tts_speakers_file)
        #: The files the models were read from, with what they are: never to be overwritten by an output.
        self.model_files: List[Tuple[Path, str]] = [
            (Path(tts_checkpoint), "checkpoint"),
            (Path(tts_config_path), "config"),
            *side_files(self.tts_config, ""),
        ]
        self.vocoder_config = self.vocoder_model = self.vocoder_ap = None
        #: mel in, waveform out: Griffin-Lim from the TTS model's audio config, or the vocoder model
        self.vocoder: Vocoder = GriffinLimVocoder(self.tts_model.ap)
        if (vocoder_checkpoint is None) != (vocoder_config is None):
            raise SynthesisError(
                "a vocoder needs both its checkpoint and its config (vocoder_path and vocoder_config_path)"
            )
        if vocoder_checkpoint is not None:
            self.vocoder_config, self.vocoder = load_model_vocoder(
                Path(vocoder_checkpoint),
                Path(vocoder_config),
                tts_ap=self.tts_model.ap,
                tts_source=self.tts_config_path,
                setup=setup_vocoder_model,
            )
            self.vocoder_model, self.vocoder_ap = self.vocoder.model, self.vocoder.ap
            self.model_files += [
                (Path(vocoder_checkpoint), "vocoder checkpoint"),
                (Path(vocoder_config), "vocoder config"),
                *side_files(self.vocoder_config, "vocoder "),
            ]
        self.to(parse_device(device))

    def output_path_problem(self, path: PathLike) -> Optional[str]:
        """Why a wav cannot be written to ``path`` (see ``output_path_problem``; the model's files are protected)."""
        return output_path_problem(path, self.model_files)

    # ------------------------------------------------------------------ properties
    @property
    def _output_ap(self):
        """The AudioProcessor of the output waveform (trimming, writing): the vocoder model's, else the TTS model's."""
        return self.vocoder_ap or self.tts_model.ap

    @property
    def device(self) -> torch.device:
        return next(self.tts_model.parameters()).device

    @property
    def output_sample_rate(self) -> int:
        return self.vocoder.sample_rate

    @property
    def speakers(self) -> List[str]:
        """Speaker names of a multi-speaker model in id order (empty for a single-speaker model)."""
        return self.tts_model.speakers

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
        return token_ids_of(self.tts_model.tokenizer, sentence, language)

    def sentence_frame_limit(self, num_tokens: int) -> int:
        """Mel frames a sentence of ``num_tokens`` tokens may take (blank tokens not counted), at most the model's."""
        seconds = max(
            self.min_seconds_per_sentence, self.tts_model.spoken_tokens(num_tokens) * self.max_seconds_per_token
        )
        return max(1, min(self.tts_model.max_output_frames, math.ceil(seconds * self.tts_model.frame_rate)))

    def sentence_step_limit(self, num_tokens: int) -> int:
        """Decoding steps a sentence of ``num_tokens`` tokens may take (``frames_per_step`` frames each)."""
        return math.ceil(self.sentence_frame_limit(num_tokens) / self.tts_model.frames_per_step)

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
        if batch_size > 1 and not self.tts_model.can_batch:
            logger.info("attention windowing follows a single item: synthesising one sentence at a time")
            batch_size = 1
        try:
            return synthesize_in_batches(
                self.tts_model,
                token_ids,
                speaker_id=speaker_id,
                batch_size=batch_size,
                max_frames=self.sentence_frame_limit,
                progress=lambda done, total: logger.info("decoded %d of %d sentences", done, total),
            )
        except OutputTooLongError as err:
            raise SynthesisError(str(err)) from None

    def vocode(self, mel: np.ndarray, phase_draw: Optional[np.ndarray] = None) -> np.ndarray:
        """Waveform of one mel spectrogram, normalised as the TTS model's audio config says.

        ``phase_draw`` fixes Griffin-Lim's random starting phases (``AudioProcessor.griffin_lim_phase_draw``).
        Shapes: mel (T, C_mel) -> (T_wav,).
        """
        return self.vocoder.vocode(mel, start=phase_draw)

    def _trim(self, wav: np.ndarray) -> np.ndarray:
        if not self.tts_config.audio.do_trim_silence:
            return wav
        return wav[: self._output_ap.find_endpoint(wav)]

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
        workers = torch.get_num_threads() if self.vocoder.parallel_threads else 1
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

    _decode_groups = staticmethod(decode_groups)

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
        return sentences_and_tokens(self.tts_model.tokenizer, text, language, split_sentences, warn=warn)

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
        return mel.shape[0] / self.tts_model.frame_rate

    def estimated_seconds(self, token_ids: Sequence[Sequence[int]]) -> float:
        """The least audio the tokenised sentences will give (``MIN_SECONDS_PER_TOKEN`` each, blanks not counted)."""
        tokens = self.tts_model.spoken_tokens(sum(len(ids) for ids in token_ids))
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
        shape = self.vocoder.start_shape(mel.shape[0])
        if shape is None:
            return None
        key = np.asarray([-1 if speaker_id is None else speaker_id, *token_ids], dtype=np.int64).tobytes()
        rng = np.random.default_rng(zlib.crc32(key))
        return rng.random(shape)

    def vocode_all(self, mels: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Waveforms of several mel spectrograms, equal to ``[vocode(mel) for mel in mels]``.

        Griffin-Lim is numpy and scipy work on one core per spectrogram; with more than one torch
        thread allowed, the spectrograms are inverted that many at a time in threads (the FFTs
        release the GIL). Their random starting phases are drawn beforehand, in order, so the
        output is the one of inverting them one after the other with the same numpy seed. A
        vocoder model runs them one by one (torch threads it already).
        """
        workers = min(torch.get_num_threads(), len(mels))
        if not self.vocoder.parallel_threads or workers < 2:
            return [self.vocode(mel) for mel in mels]
        draws = [np.random.rand(*self.vocoder.start_shape(mel.shape[0])) for mel in mels]
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
        write_wav(
            self._output_ap, np.asarray(wav, dtype=np.float64), path, pipe_out, sample_rate=self.output_sample_rate
        )
