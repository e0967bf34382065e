"""What every TTS model shares for training with the ``trainer`` package.

Data loading, optimizer and scheduler from the config, restoring weights with a report,
checkpoint loading for inference, and synthesis of the config's test sentences.
"""

import json
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist
from trainer import TrainerModel
from trainer.trainer_utils import get_scheduler

from TTS.config.errors import ConfigError
from TTS.config.overrides import check_command_line_overrides
from TTS.training.distributed import average_gradients, join_launcher_process_group
from TTS.training.freeze import FreezeSchedule
from TTS.tts.datasets import get_speaker_names
from TTS.tts.datasets.dataset import TTSDataset
from TTS.tts.datasets.samplers import batch_sampler_from_config
from TTS.tts.models.interface import AcousticModel
from TTS.tts.utils.text.characters import characters_from_config
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor
from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreReport, TableReport, carry_over_rows, grow_inputs, restore_weights

logger = logging.getLogger(__name__)


class ShardedBatchSampler(torch.utils.data.Sampler):
    """Every ``world_size``-th batch of a batch sampler, from offset ``rank``: one shard per process.

    All ranks get the same number of batches (the remainder is dropped), so distributed
    training never waits on a rank that has run out of data.
    """

    def __init__(self, batch_sampler, *, rank: int, world_size: int) -> None:
        super().__init__()
        self.batch_sampler = batch_sampler
        self.rank = rank
        self.world_size = world_size

    def set_epoch(self, epoch: int) -> None:
        self.batch_sampler.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.batch_sampler) // self.world_size

    def __iter__(self):
        batches = list(self.batch_sampler)
        usable = len(batches) - len(batches) % self.world_size
        return iter(batches[self.rank : usable : self.world_size])


def config_speaker_names(config) -> List[str]:
    """Speaker names a config lists, in id order (from ``speakers_file`` or ``speakers``)."""
    speakers_file = getattr(config, "speakers_file", None)
    if speakers_file:
        path = Path(speakers_file)
        if not path.is_file():
            raise FileNotFoundError(f"config field 'speakers_file': {path} does not exist")
        try:
            mapping = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ValueError(f"config field 'speakers_file': {path} is not valid JSON ({err.msg})") from None
        if not isinstance(mapping, dict) or not all(isinstance(v, int) for v in mapping.values()):
            raise ValueError(f"config field 'speakers_file': {path} must map speaker names to integer ids")
        return [name for name, _ in sorted(mapping.items(), key=lambda item: item[1])]
    return list(getattr(config, "speakers", None) or [])


def config_symbols(config) -> List[str]:
    """The input vocabulary a config describes, in id order (the rows of the symbol embedding)."""
    return characters_from_config(getattr(config, "characters", None), use_phonemes=bool(config.use_phonemes))[0].vocab


def speaker_names_for(config, samples: Optional[Sequence[Dict[str, Any]]]) -> List[str]:
    """Speaker names of a multi-speaker model: from the config when it lists them, else from the samples."""
    names = config_speaker_names(config)
    if not names and samples:
        names = get_speaker_names(samples)
    return names


class BaseTTS(TrainerModel, AcousticModel):
    """Base of TTS models trained with ``trainer.Trainer``: the adapter between an ``AcousticModel`` and the trainer.

    Parameters
    ----------
    config:
        The model's Coqpit config.
    ap:
        ``AudioProcessor`` (data loading, Griffin-Lim audio in logs); None: built from ``config.audio``
        when first used (as Coqui 0.28 does).
    tokenizer:
        ``TTSTokenizer`` (data loading, test sentences); None: built from the config when first used.
    speaker_manager:
        Coqui's form of the speakers: None or an object with ``speaker_names`` (id order) and
        ``num_speakers`` (Coqui's ``SpeakerManager`` or ours); ``speaker_names`` is this package's form.
    speaker_names:
        Speaker names in id order for multi-speaker models.
    """

    #: state-dict keys of the symbol and speaker embedding tables (restored by name, see ``set_restore_source``)
    SYMBOL_TABLE_KEY = "embedding.weight"
    SPEAKER_TABLE_KEY = "speaker_embedding.weight"

    def __init__(
        self, config, ap=None, tokenizer=None, speaker_manager=None, *, speaker_names: Sequence[str] = ()
    ) -> None:
        super().__init__()
        self.config = config
        self._ap = ap
        self._tokenizer = tokenizer
        self.speaker_manager = speaker_manager
        if not speaker_names and speaker_manager is not None:
            speaker_names = list(getattr(speaker_manager, "speaker_names", None) or [])
        self.speaker_names = list(speaker_names)
        self.restore_report: Optional[RestoreReport] = None
        self._restore_source = None  # config of the checkpoint the next load_state_dict restores
        self._freeze_schedule: Optional[FreezeSchedule] = None  # built by get_optimizer: its groups follow it
        self._checked_sample_lists: List[List[Dict[str, Any]]] = []  # by check_samples: not read twice

    @property
    def ap(self):
        """The ``AudioProcessor``; built from ``config.audio`` on first use when the model was given none."""
        if self._ap is None:
            self._ap = AudioProcessor.init_from_config(self.config)
        return self._ap

    @ap.setter
    def ap(self, value) -> None:
        self._ap = value

    @property
    def tokenizer(self):
        """The ``TTSTokenizer``; built from the config on first use when the model was given none.

        Raises ``ConfigError`` when the config's vocabulary is larger than the embedding (``num_chars``).
        """
        if self._tokenizer is None:
            tokenizer, _ = TTSTokenizer.init_from_config(self.config)
            rows = int(self.config.num_chars)
            if tokenizer.characters.num_chars > rows:
                raise ConfigError(
                    f"config field 'num_chars': {rows}, but the config's vocabulary has "
                    f"{tokenizer.characters.num_chars} symbols"
                )
            self._tokenizer = tokenizer
        return self._tokenizer

    @tokenizer.setter
    def tokenizer(self, value) -> None:
        self._tokenizer = value

    def upgrade_state_dict(self, state_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """A checkpoint's state dict in this model's key names (Glow-TTS renames older weight-norm keys)."""
        return state_dict

    def spoken_tokens(self, num_tokens: int) -> int:
        """Token ids that stand for text: with ``add_blank`` every other id is a blank."""
        return num_tokens // 2 if self.tokenizer.add_blank else num_tokens

    @property
    def speaker_id_mapping(self) -> Optional[Dict[str, int]]:
        return {name: i for i, name in enumerate(self.speaker_names)} if self.speaker_names else None

    # ------------------------------------------------------------------ weights
    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):  # noqa: D401 - torch signature
        """Load weights, reporting loaded / reshaped / missing / unexpected keys.

        A mismatch is a ``RestoreError`` listing the keys unless ``strict`` is False or the config
        sets ``allow_partial_restore``; the trainer's ``--restore_path`` and ``--continue_path``
        come through here.
        """
        allow_partial = (not strict) or bool(getattr(self.config, "allow_partial_restore", False))
        tables: List[TableReport] = []
        if self._restore_source is not None:
            source, self._restore_source = self._restore_source, None
            state_dict, tables = self._carry_over_tables(state_dict, source)
        grown = []
        patterns = list(getattr(self.config, "restore_grown_inputs", None) or [])
        if patterns:
            state_dict, grown = grow_inputs(state_dict, self.state_dict(), patterns)
        self.restore_report = restore_weights(self, state_dict, allow_partial=allow_partial, tables=tables, grown=grown)
        return torch.nn.modules.module._IncompatibleKeys(self.restore_report.missing, self.restore_report.unexpected)

    def set_restore_source(self, checkpoint_config) -> None:
        """Name the vocabulary and speakers of the checkpoint the next ``load_state_dict`` restores.

        ``train_tts --restore_path`` calls it with the checkpoint's own config, so that a checkpoint
        trained on other symbols (another language) or other speakers is carried over by name
        (``TTS.utils.restore.carry_over_rows``) rather than by row number, with the new rows
        initialised as ``restore_new_symbols``, ``restore_symbol_map`` and ``restore_new_speakers``
        say, and the report listing shared, new and dropped names.
        """
        self._restore_source = checkpoint_config

    def _carry_over_tables(self, state_dict, source) -> Tuple[Dict[str, torch.Tensor], List[TableReport]]:
        state, model_state, tables = dict(state_dict), self.state_dict(), []
        symbol_map = {new: list(olds) for new, olds in (getattr(self.config, "restore_symbol_map", None) or {}).items()}
        key = self.SYMBOL_TABLE_KEY
        old_symbols, new_symbols = config_symbols(source), self.symbols()
        if key in state and key in model_state and (old_symbols != new_symbols or symbol_map):
            state[key], report = carry_over_rows(
                state[key], old_symbols, model_state[key], new_symbols, key=key, what="symbols",
                new_init=self.config.restore_new_symbols, mapping=symbol_map,
            )  # fmt: skip
            tables.append(report)
        key = self.SPEAKER_TABLE_KEY
        if key in state and key in model_state:
            try:
                old_speakers = config_speaker_names(source)
            except (FileNotFoundError, ValueError) as err:
                logger.warning("restore: speakers of the checkpoint unknown (%s): speaker rows are matched by position", err)
                old_speakers = []
            if old_speakers and old_speakers != self.speaker_names:
                state[key], report = carry_over_rows(
                    state[key], old_speakers, model_state[key], self.speaker_names, key=key, what="speakers",
                    new_init=self.config.restore_new_speakers,
                )  # fmt: skip
                tables.append(report)
        return state, tables

    def symbols(self) -> List[str]:
        """The model's input vocabulary in id order."""
        if self._tokenizer is not None:
            return list(self._tokenizer.characters.vocab)
        return config_symbols(self.config)

    def load_checkpoint(self, config, checkpoint_path: str, eval: bool = False, strict: bool = True, cache: bool = False):  # noqa: A002
        """Load a trainer checkpoint (ours or Coqui's) safely; ``eval`` switches to inference mode."""
        checkpoint = load_checkpoint_file(checkpoint_path)
        self.load_state_dict(checkpoint["model"], strict=strict)
        self.on_checkpoint_loaded(checkpoint)
        if eval:
            self.eval()
        return checkpoint

    def on_checkpoint_loaded(self, checkpoint: Dict[str, Any]) -> None:
        """Hook for model state stored in the checkpoint's config (e.g. the reduction factor)."""

    # ------------------------------------------------------------------ optimisation
    def get_optimizer(self) -> torch.optim.Optimizer:
        """The config's optimizer; with ``freeze_layers`` set, one parameter group per unfreezing stage.

        A freeze pattern that matches no parameter is a ``ConfigError`` (see ``TTS.training.freeze``).
        """
        name = self.config.optimizer
        params = dict(self.config.optimizer_params or {})
        optimizer_cls = torch.optim.RAdam if name.lower() == "radam" else getattr(torch.optim, name, None)
        if optimizer_cls is None:
            raise ValueError(f"config field 'optimizer': unknown optimizer {name!r} (a torch.optim class name)")
        self._freeze_schedule = FreezeSchedule.from_config(self, self.config)
        if self._freeze_schedule is None:
            return optimizer_cls(self.parameters(), lr=self.config.lr, **params)
        return optimizer_cls(self._freeze_schedule.param_groups(self, self.config.lr), lr=self.config.lr, **params)

    def on_train_step_start(self, trainer) -> None:
        """Layer freezing: freeze the parameters of this global step and rescale the groups' learning rates.

        Needed before every step: the trainer's ``model.train()`` at each epoch start puts frozen
        batch norms back in training mode, and its ``reset_lr()`` (after ``--restore_path``) and
        the scheduler set the groups' rates without their ``lr_scale``.
        """
        schedule = self._freeze_schedule
        if schedule is None:
            return
        clipping = (trainer.config.grad_clip or 0) > 0
        if getattr(trainer, "use_accelerate", False) or (getattr(trainer, "use_amp_scaler", False) and not clipping):
            # the trainer then takes the norm of every parameter's gradient, and frozen ones have none
            raise ConfigError(
                "config field 'freeze_layers': frozen parameters have no gradient, which the trainer supports only "
                "without use_accelerate and, under mixed precision, with grad_clip > 0"
            )
        schedule.apply(self, trainer.total_steps_done)
        optimizers = trainer.optimizer if isinstance(trainer.optimizer, list) else [trainer.optimizer]
        schedule.scale_learning_rates(optimizers[0])

    def get_lr(self) -> float:
        return self.config.lr

    def get_scheduler(self, optimizer):
        optimizer = optimizer[0] if isinstance(optimizer, list) else optimizer
        return get_scheduler(self.config.lr_scheduler, self.config.lr_scheduler_params, optimizer)

    # ------------------------------------------------------------------ data
    def get_data_loader(self, config, assets=None, is_eval: bool = False, samples=None, verbose: bool = True, num_gpus: int = 1, rank: int = 0):
        dataset = TTSDataset.init_from_config(
            config,
            samples=samples,
            tokenizer=self.tokenizer,
            ap=self.ap,
            outputs_per_step=getattr(self.decoder, "r", 1),
            speaker_id_mapping=self.speaker_id_mapping,
            verbose=verbose,
        )
        if len(dataset) == 0:
            raise ValueError(f"no {'evaluation' if is_eval else 'training'} samples left after the length filters")
        batch_size = config.eval_batch_size if is_eval else config.batch_size
        sampler = batch_sampler_from_config(
            config, lengths=dataset.text_lengths, batch_size=batch_size, is_eval=is_eval, seed=config.training_seed
        )
        if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
            sampler = ShardedBatchSampler(sampler, rank=dist.get_rank(), world_size=dist.get_world_size())
        workers = config.num_eval_loader_workers if is_eval else config.num_loader_workers
        return torch.utils.data.DataLoader(
            dataset, batch_sampler=sampler, collate_fn=dataset.collate_fn, num_workers=workers, pin_memory=False
        )

    #: config fields that size the layers built by the constructor (a model class lists its own)
    LAYER_FIELDS: Tuple[str, ...] = ()

    def layer_settings(self, config) -> Dict[str, Any]:
        """The values of ``LAYER_FIELDS`` in ``config`` (dotted names reach nested fields: ``audio.num_mels``)."""
        values = {}
        for name in self.LAYER_FIELDS:
            value = config
            for part in name.split("."):
                value = getattr(value, part, None)
            values[name] = value
        return values

    def check_command_line(self, trainer) -> None:
        """Coqui-style recipes hand the command line to ``Trainer`` themselves: keep this package's checks there.

        Every ``--coqpit.<field>`` of the command line names a field in full (the trainer's parser would take
        ``--coqpit.epoch`` for ``epochs`` and drop a misspelt one without a word), and no override changed a
        field that sizes the layers already built (the trainer applies overrides after the recipe built the
        model, so the model would not follow it). Raises ``ConfigError`` naming the field.
        """
        check_command_line_overrides(sys.argv[1:], trainer.config)
        built = getattr(self, "_built_layer_settings", None)
        if built is None:
            return
        for name, value in self.layer_settings(trainer.config).items():
            if value != built[name]:
                raise ConfigError(
                    f"config field '{name}': the model was built with {built[name]!r}, the command line sets "
                    f"{value!r} after that; set it in the recipe's config before building the model, or train "
                    "with TTS/bin/train_tts.py, which applies --coqpit overrides first"
                )

    def check_samples(self, *sample_lists: Optional[List[Dict[str, Any]]]) -> None:
        """Every sample once, before training starts: its audio exists, is readable and at the model's
        sample rate (file headers only, nothing decoded), and its text gives tokens.

        Found only by the data loader, these problems would stop a run hours in (the evaluation samples
        after the first training epoch), in a traceback. A list already checked is not read again.
        Raises ``SampleError`` naming how many samples have each problem and one of their files.
        """
        for samples in sample_lists:
            if samples and not any(samples is done for done in self._checked_sample_lists):
                config, tokenizer, ap = self.config, self.tokenizer, self.ap
                TTSDataset.init_from_config(config, samples=samples, tokenizer=tokenizer, ap=ap).check_texts()
                self._checked_sample_lists.append(samples)

    def on_init_start(self, trainer) -> None:
        """Check the command line (``check_command_line``) and the samples (``check_samples``: a Coqui-style
        recipe hands them to the trainer without ``TTS/bin/train_tts.py``'s checks) and, under
        ``python -m trainer.distribute`` on a CPU machine, join the ranks' gloo process group."""
        self.check_command_line(trainer)
        self.check_samples(getattr(trainer, "train_samples", None), getattr(trainer, "eval_samples", None))
        join_launcher_process_group(
            use_ddp=bool(getattr(trainer.args, "use_ddp", False)),
            rank=int(getattr(trainer.args, "rank", 0)),
            init_method=trainer.config.distributed_url,
            module=self,
        )

    def before_gradient_clipping(self) -> None:
        """Average gradients over the ranks of a process group (the trainer does not, see TTS.training.distributed)."""
        average_gradients(self)

    def on_train_epoch_start(self, trainer) -> None:
        sampler = trainer.train_loader.batch_sampler if trainer.train_loader is not None else None
        if sampler is not None and hasattr(sampler, "set_epoch"):
            sampler.set_epoch(trainer.epochs_done)

    # ------------------------------------------------------------------ test sentences
    def test_sentences(self) -> List[str]:
        sentences = list(self.config.test_sentences)
        if self.config.test_sentences_file:
            with open(self.config.test_sentences_file, encoding="utf-8") as f:
                sentences += [line.strip() for line in f if line.strip()]
        return sentences

    def language(self) -> Optional[str]:
        languages = getattr(self.config, "languages", None) or []
        return languages[0] if len(languages) == 1 else None

    def text_to_tensor(self, text: str) -> torch.Tensor:
        ids = self.tokenizer.text_to_ids(text, language=self.language())
        if not ids:
            raise ValueError(f"nothing to synthesise: {text!r} has no symbol of the model's vocabulary")
        return torch.as_tensor(np.asarray(ids, dtype=np.int64), device=next(self.parameters()).device)[None]
