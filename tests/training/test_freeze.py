"""Layer freezing and gradual unfreezing (``freeze_layers``, ``unfreeze_schedule``, ``TTS.training.freeze``).

The fast tests drive a toy Tacotron2 the way the trainer does: ``model.train()``, the model's
``on_train_step_start`` hook, a train step, the optimizer step, ``zero_grad(set_to_none=True)``
and the scheduler step. The slow one trains through the real ``trainer.Trainer``.
"""

import logging
from fnmatch import fnmatchcase
from types import SimpleNamespace
from typing import Dict, List

import pytest
import torch
from helpers.corpus import make_ljspeech_corpus
from helpers.corpus import toy_config as toy_run_config
from helpers.toy_models import build_model, make_batch, no_gradient_by_design, toy_config
from trainer import Trainer, TrainerArgs

from TTS.config import ConfigError, config_from_dict
from TTS.tts.datasets import load_tts_samples
from TTS.tts.models import setup_model

FREEZE_LOGGER = "TTS.training.freeze"
LR = 1e-3
# the module docstring's recipe: embedding, encoder and attention train first, the rest of both decoders later
RECIPE_FREEZE = [
    "*decoder.prenet.*",
    "*decoder.decoder_rnn.*",
    "*decoder.linear_projection.*",
    "*decoder.stopnet.*",
    "postnet.*",
]


pytestmark = pytest.mark.usefixtures("one_thread_and_seed")


def fake_trainer(model, optimizer, step: int = 0) -> SimpleNamespace:
    """What ``on_train_step_start`` reads from ``trainer.Trainer``, and ``Trainer.reset_lr`` needs."""
    return SimpleNamespace(
        total_steps_done=step, optimizer=[optimizer], config=model.config, get_lr=lambda: [model.config.lr]
    )


def state(model, prefixes=("",)) -> Dict[str, torch.Tensor]:
    """Copies of the parameters and buffers whose names start with one of ``prefixes``."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if k.startswith(tuple(prefixes))}


def unchanged(model, before: Dict[str, torch.Tensor]) -> List[str]:
    now = model.state_dict()
    return [key for key, value in before.items() if torch.equal(now[key], value)]


def train(model, optimizer, batch, steps: int, *, scheduler=None, on_step=None, after_backward=None) -> None:
    """Steps ``0 .. steps - 1`` as ``trainer.Trainer`` runs them; ``on_step(step)`` runs after the model's hook."""
    criterion = model.get_criterion()
    trainer = fake_trainer(model, optimizer)
    for step in range(steps):
        model.train()
        trainer.total_steps_done = step
        model.on_train_step_start(trainer)
        if on_step is not None:
            on_step(step)
        _, losses = model.train_step(batch, criterion)
        losses["loss"].backward()
        if after_backward is not None:
            after_backward(step)
        torch.nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], 5.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if scheduler is not None:
            scheduler.step()


# ---------------------------------------------------------------------------- freezing
@pytest.mark.parametrize(
    "overrides, patterns",
    [
        ({}, ["encoder.*", "postnet.*"]),
        ({"double_decoder_consistency": True, "ddc_r": 4, "prenet_type": "bn", "r": 2}, RECIPE_FREEZE),
    ],
    ids=["encoder-postnet", "ddc-bn-prenet-recipe"],
)
def test_frozen_parameters_and_batch_norm_statistics_stay_fixed_while_the_rest_trains(overrides, patterns):
    config = toy_config(freeze_layers=patterns, **overrides)  # RAdam with weight decay: moves any parameter with a grad
    model = build_model(config)
    optimizer = model.get_optimizer()
    batch = model.format_batch(make_batch(config.r, speakers=False))
    frozen = {name for name, _ in model.named_parameters() if any(fnmatchcase(name, p) for p in patterns)}
    frozen_modules = sorted({name.rsplit(".", 1)[0] for name in frozen})
    before = state(model)
    frozen_with_grad = {}

    def check_grads(step):
        frozen_with_grad[step] = [name for name, p in model.named_parameters() if name in frozen and p.grad is not None]

    train(model, optimizer, batch, steps=3, after_backward=check_grads)

    frozen_state = {key: value for key, value in before.items() if key.rsplit(".", 1)[0] in frozen_modules}
    assert {"running_mean", "running_var", "num_batches_tracked"} <= {key.rsplit(".", 1)[1] for key in frozen_state}
    assert sorted(set(frozen_state) - set(unchanged(model, frozen_state))) == []  # weights and batch-norm statistics
    trained = [
        name for name, _ in model.named_parameters() if name not in frozen and not no_gradient_by_design(name, config)
    ]
    assert trained and set(unchanged(model, {name: before[name] for name in trained})) == set()
    assert frozen_with_grad == {0: [], 1: [], 2: []}
    assert not any(p.requires_grad for name, p in model.named_parameters() if name in frozen)
    # the frozen batch norms are in eval mode inside a model in training mode
    assert model.training
    norms = {name: m for name, m in model.named_modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)}
    assert norms and all(m.training == (name not in frozen_modules) for name, m in norms.items())
    # parameters that are never unfrozen are in no optimizer group
    in_optimizer = {id(p) for group in optimizer.param_groups for p in group["params"]}
    assert {name for name, p in model.named_parameters() if id(p) not in in_optimizer} == frozen


def test_no_freeze_fields_keep_one_parameter_group():
    model = build_model(toy_config())
    optimizer = model.get_optimizer()
    assert len(optimizer.param_groups) == 1
    assert len(optimizer.param_groups[0]["params"]) == len(list(model.parameters()))
    model.on_train_step_start(fake_trainer(model, optimizer))
    assert all(p.requires_grad for p in model.parameters())


# ---------------------------------------------------------------------------- unfreezing
def test_unfreeze_schedule_trains_each_stage_from_its_step_at_its_share_of_the_learning_rate(caplog):
    config = toy_config(
        lr=LR,
        lr_scheduler="NoamLR",
        lr_scheduler_params={"warmup_steps": 10},
        freeze_layers=RECIPE_FREEZE,
        unfreeze_schedule=[[2, ["decoder.*"], 0.5], [4, ["*"], 0.25]],
    )
    model = build_model(config)
    optimizer = model.get_optimizer()
    scheduler = model.get_scheduler(optimizer)
    batch = model.format_batch(make_batch(config.r, speakers=False))
    groups = [
        [name for name, p in model.named_parameters() if any(p is q for q in g["params"])]
        for g in optimizer.param_groups
    ]
    assert {name.split(".")[1] for name in groups[0] if name.startswith("decoder.")} == {"attention_rnn", "attention"}
    assert groups[1] and all(name.startswith("decoder.") for name in groups[1])
    assert groups[2] and all(name.startswith("postnet.") for name in groups[2])
    assert [g["lr_scale"] for g in optimizer.param_groups] == [1.0, 0.5, 0.25]
    assert scheduler.base_lrs == pytest.approx([LR, LR * 0.5, LR * 0.25])

    initial = state(model)
    seen = {}

    def record(step):
        seen[step] = {
            "lrs": [g["lr"] for g in optimizer.param_groups],
            "unchanged": set(unchanged(model, initial)),
            "trainable": {name for name, p in model.named_parameters() if p.requires_grad},
        }

    caplog.set_level(logging.INFO, logger=FREEZE_LOGGER)
    train(model, optimizer, batch, steps=6, scheduler=scheduler, on_step=record)

    for step, seen_at in seen.items():
        base = seen_at["lrs"][0]
        # NoamLR moves the rate at every step; the groups keep their ratios
        assert seen_at["lrs"] == pytest.approx([base, 0.5 * base, 0.25 * base]), step
        assert (groups[1][0] in seen_at["trainable"]) == (step >= 2), step
        assert (groups[2][0] in seen_at["trainable"]) == (step >= 4), step
    assert seen[1]["lrs"][0] != seen[5]["lrs"][0]
    # the state at the start of step k is the one after step k - 1: a stage first moves in its start step
    learning = [{name for name in group if not no_gradient_by_design(name, config)} for group in groups]
    assert set(groups[1]) <= seen[2]["unchanged"] and not learning[1] & seen[3]["unchanged"]
    assert set(groups[2]) <= seen[4]["unchanged"] and not learning[2] & seen[5]["unchanged"]
    assert not learning[0] & seen[1]["unchanged"]
    messages = [r.getMessage() for r in caplog.records if r.name == FREEZE_LOGGER]
    assert len(messages) == 3, messages
    assert "frozen at step 0" in messages[0] and "2 schedule entries to come" in messages[0]
    assert "step 2 unfreezes" in messages[1] and "decoder.*" in messages[1] and "lr_scale 0.5" in messages[1]
    assert "step 4 unfreezes" in messages[2] and "lr_scale 0.25" in messages[2]


def test_group_learning_rates_survive_the_trainers_reset_lr():
    """``--restore_path`` ends in ``Trainer.reset_lr()``, after the optimizer and scheduler are built: every
    group gets the config's lr, and the first step's hook puts the ratios back."""
    config = toy_config(
        lr=LR,
        lr_scheduler="NoamLR",
        lr_scheduler_params={"warmup_steps": 10},
        freeze_layers=["postnet.*"],
        unfreeze_schedule=[[0, ["postnet.*"], 0.1]],
    )
    model = build_model(config)
    optimizer = model.get_optimizer()
    scheduler = model.get_scheduler(optimizer)
    Trainer.reset_lr(fake_trainer(model, optimizer))
    assert [g["lr"] for g in optimizer.param_groups] == [LR, LR]  # the postnet would train at the full rate
    lrs = []
    batch = model.format_batch(make_batch(config.r, speakers=False))
    train(
        model,
        optimizer,
        batch,
        steps=3,
        scheduler=scheduler,
        on_step=lambda step: lrs.append([g["lr"] for g in optimizer.param_groups]),
    )
    assert lrs[0] == pytest.approx([LR, 0.1 * LR])  # reset_lr's rate for the first step, as in a restored run
    assert lrs[1][0] != LR and all(rates[1] == pytest.approx(0.1 * rates[0]) for rates in lrs)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "freeze_layers, schedule, message",
    [
        (
            ["postnet.*"],
            [[0, ["postnet.*"], 1.0], [5, ["x"]]],
            "entry 1 [5, ['x']]: must be [start_step, [patterns...], lr_scale]",
        ),
        (
            ["postnet.*"],
            [[5, ["postnet.*"], 1.0], [3, ["x"], 1.0]],
            "entry 1 [3, ['x'], 1.0]: start_step is below the previous one (5)",
        ),
        (["postnet.*"], [[0, ["postnet.*"], 0.0]], "entry 0 [0, ['postnet.*'], 0.0]: lr_scale must be a number > 0"),
        (["postnet.*"], [[0, ["postnet.*"], -0.5]], "lr_scale must be a number > 0"),
        (["postnet.*"], [[-1, ["postnet.*"], 1.0]], "start_step must be an integer >= 0"),
        (["postnet.*"], [[1.5, ["postnet.*"], 1.0]], "start_step must be an integer >= 0"),
        (["postnet.*"], [[0, "postnet.*", 1.0]], "patterns must be a non-empty list of strings"),
        (["postnet.*"], [[0, [], 1.0]], "patterns must be a non-empty list of strings"),
        ([], [[0, ["postnet.*"], 1.0]], "config field 'unfreeze_schedule': needs freeze_layers"),
        ([3], [], "config field 'freeze_layers': entry 0 3: must be a non-empty pattern string"),
    ],
)
def test_config_checks_the_schedule(freeze_layers, schedule, message):
    with pytest.raises(ConfigError) as error:
        toy_config(freeze_layers=freeze_layers, unfreeze_schedule=schedule)
    assert message in str(error.value)
    if schedule and freeze_layers:
        assert "config field 'unfreeze_schedule': entry " in str(error.value)


def test_config_file_with_a_bad_schedule_names_field_and_entry():
    data = toy_config().to_dict()
    data.update(freeze_layers=["postnet.*"], unfreeze_schedule=[[0, ["postnet.*"], 0]])
    with pytest.raises(
        ConfigError, match=r"config field 'unfreeze_schedule': entry 0 \[0, \['postnet.\*'\], 0\]: lr_scale"
    ):
        config_from_dict(data)


@pytest.mark.parametrize(
    "freeze_layers, schedule, message",
    [
        (
            ["encodr.*"],
            [],
            "config field 'freeze_layers': pattern 'encodr.*' matches no parameter of the model "
            "(top-level blocks: embedding, encoder, decoder, postnet)",
        ),
        (
            ["postnet.*"],
            [[10, ["postnett.*"], 0.5]],
            "config field 'unfreeze_schedule': entry 0 [10, ['postnett.*'], 0.5]: "
            "pattern 'postnett.*' matches no parameter of the model",
        ),
        (
            ["postnet.*"],
            [[10, ["embedding.*"], 0.5]],
            "entry 0 [10, ['embedding.*'], 0.5]: pattern 'embedding.*' matches only parameters not frozen",
        ),
        (
            ["postnet.*"],
            [[1, ["*"], 0.5], [2, ["postnet.*"], 0.5]],
            "entry 1 [2, ['postnet.*'], 0.5]: pattern 'postnet.*' matches only parameters not frozen by freeze_layers",
        ),
        (
            ["*"],
            [[1, ["*"], 0.5]],
            "config field 'freeze_layers': freezes every parameter and no unfreeze_schedule entry starts at step 0",
        ),
    ],
    ids=["freeze-typo", "schedule-typo", "schedule-not-frozen", "schedule-taken-earlier", "nothing-trains"],
)
def test_a_pattern_that_selects_nothing_is_an_error_naming_it(freeze_layers, schedule, message):
    model = build_model(toy_config(freeze_layers=freeze_layers, unfreeze_schedule=schedule))
    with pytest.raises(ConfigError) as error:
        model.get_optimizer()
    assert message in str(error.value)


def test_trainer_paths_that_need_every_gradient_are_refused():
    model = build_model(toy_config(freeze_layers=["postnet.*"]))
    trainer = fake_trainer(model, model.get_optimizer())
    trainer.use_accelerate = True
    with pytest.raises(ConfigError, match="config field 'freeze_layers': .*use_accelerate"):
        model.on_train_step_start(trainer)
    trainer.use_accelerate, trainer.use_amp_scaler = False, True
    model.config.grad_clip = 0.0
    with pytest.raises(ConfigError, match="grad_clip > 0"):
        model.on_train_step_start(trainer)
    model.config.grad_clip = 1.0
    model.on_train_step_start(trainer)
    assert not model.postnet.convolutions[0].convolution1d.weight.requires_grad


# ---------------------------------------------------------------------------- through trainer.Trainer
@pytest.mark.slow
def test_trainer_run_keeps_frozen_layers_and_unfreezes_on_schedule(tmp_path, caplog):
    """Four steps of the real trainer, started like a restored run (``reset_lr()`` before ``fit()``).

    The encoder never moves, its batch-norm statistics included; the postnet trains from step 2
    on, at half the learning rate of the rest.
    """
    corpus = make_ljspeech_corpus(tmp_path / "LJSpeech-1.1")
    data = toy_run_config(corpus, tmp_path / "out")
    quick = {
        "epochs": 1,
        "run_eval": False,
        "test_delay_epochs": 100,
        "save_step": 1000,
        "plot_step": 1000,
    }
    data.update(quick, freeze_layers=["encoder.*", "postnet.*"], unfreeze_schedule=[[2, ["postnet.*"], 0.5]])
    config = config_from_dict(data)
    samples, _ = load_tts_samples(config.datasets, eval_split=False)
    model = setup_model(config, samples)
    initial = state(model)
    postnet = {key: value for key, value in initial.items() if key.startswith("postnet.")}
    seen = {}

    def record(trainer):
        seen[trainer.total_steps_done] = {
            "lrs": [g["lr"] for g in trainer.optimizer[0].param_groups],
            "postnet_unchanged": set(unchanged(model, postnet)),
            "encoder_bn_training": model.encoder.convolutions[0].batch_normalization.training,
        }

    caplog.set_level(logging.INFO, logger=FREEZE_LOGGER)
    trainer = Trainer(
        TrainerArgs(),
        model.config,
        config.output_path,
        model=model,
        train_samples=samples,
        callbacks={"on_train_step_start": record},
    )
    try:
        trainer.reset_lr()  # what --restore_path ends with
        trainer.fit()
    finally:
        for handler in list(logging.getLogger("trainer").handlers):
            if isinstance(handler, logging.FileHandler):
                logging.getLogger("trainer").removeHandler(handler)
                handler.close()

    assert sorted(seen) == [0, 1, 2, 3]  # 8 clips at batch size 2
    assert seen[0]["lrs"] == pytest.approx([config.lr, 0.5 * config.lr])  # reset_lr's rate, and the ratio
    for step, seen_at in seen.items():
        assert seen_at["lrs"][1] == pytest.approx(0.5 * seen_at["lrs"][0]), step
        assert seen_at["encoder_bn_training"] is False
        # the state at the start of step k is the one after step k - 1
        assert (seen_at["postnet_unchanged"] == set(postnet)) == (step <= 2), step
    checkpoint = torch.load(max(trainer.output_path.glob("best_model_*.pth")), map_location="cpu", weights_only=True)
    weights = checkpoint["model"]
    encoder = [key for key in initial if key.startswith("encoder.")]
    assert any(key.endswith("running_var") for key in encoder)
    assert [key for key in encoder if not torch.equal(weights[key], initial[key])] == []
    assert not torch.equal(
        weights["decoder.linear_projection.linear_layer.weight"],
        initial["decoder.linear_projection.linear_layer.weight"],
    )
    postnet_weight = "postnet.convolutions.0.convolution1d.weight"
    assert not torch.equal(weights[postnet_weight], initial[postnet_weight])
    assert [g["lr_scale"] for g in checkpoint["optimizer"][0]["param_groups"]] == [1.0, 0.5]
    assert "freeze: step 2 unfreezes" in caplog.text
