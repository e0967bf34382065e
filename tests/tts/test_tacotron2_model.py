"""Tacotron2 at toy sizes: shapes, padding masks, a training signal to every parameter, inference limits, config checks.

Each case builds a model of a few thousand parameters from ``Tacotron2Config`` fields and a hand-made
batch, so every test runs in well under a second.
"""

import itertools
import logging
from types import SimpleNamespace
from typing import Dict, NamedTuple, Optional

import pytest
import torch
from helpers.toy_models import (
    MEL_LENGTHS,
    NUM_MELS,
    TEXT_LENGTHS,
    build_model,
    frames_for,
    make_batch,
    no_gradient_by_design,
    toy_config,
)

from TTS.config import ConfigError, load_config
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.layers.tacotron2.attention import beta_binomial_prior
from TTS.tts.models.tacotron2 import Tacotron2, attention_prior_weight, gradual_training_step, schedule_from_r
from TTS.tts.utils.masks import sequence_mask
from TTS.tts.utils.text.characters import characters_from_config

SPEAKERS = ["ada", "bo"]
DDC_R = 4  # coarser than every r of the cases, and 13 frames need padding for it too
DECODER_LOGGER = "TTS.tts.layers.tacotron2.decoder"


class Case(NamedTuple):
    r: int
    ddc: bool
    prenet_type: str
    speakers: bool
    ga_alpha: float
    regularisation: str
    attention_norm: str
    separate_stopnet: bool


LEVELS = Case(
    r=(1, 2, 3),
    ddc=(False, True),
    prenet_type=("original", "bn"),
    speakers=(False, True),
    ga_alpha=(0.0, 5.0),
    regularisation=("dropout", "zoneout"),
    attention_norm=("sigmoid", "softmax"),
    separate_stopnet=(True, False),
)
# A pairwise covering of LEVELS (checked by test_cases_cover_every_pair_of_options): every two options
# meet in some case, which catches interactions between two options at 8 models instead of 192.
CASES = [
    Case(1, False, "original", False, 0.0, "zoneout", "sigmoid", False),
    Case(1, True, "bn", False, 0.0, "dropout", "softmax", True),
    Case(1, True, "original", True, 5.0, "dropout", "sigmoid", False),
    Case(2, False, "bn", False, 0.0, "zoneout", "sigmoid", True),
    Case(2, False, "original", True, 5.0, "zoneout", "softmax", False),
    Case(2, True, "bn", True, 5.0, "dropout", "softmax", True),
    Case(3, False, "bn", False, 5.0, "dropout", "sigmoid", False),
    Case(3, True, "original", True, 0.0, "zoneout", "softmax", True),
]


def case_id(case: Case) -> str:
    return "-".join(
        [
            f"r{case.r}",
            "ddc" if case.ddc else "noddc",
            case.prenet_type,
            "spk" if case.speakers else "nospk",
            f"ga{case.ga_alpha:g}",
            case.regularisation,
            case.attention_norm,
            "sepstop" if case.separate_stopnet else "jointstop",
        ]
    )


pytestmark = pytest.mark.usefixtures("one_thread_and_seed")


def case_config(case: Case) -> Tacotron2Config:
    return toy_config(
        r=case.r,
        double_decoder_consistency=case.ddc,
        ddc_r=DDC_R,
        prenet_type=case.prenet_type,
        use_speaker_embedding=case.speakers,
        speakers=list(SPEAKERS) if case.speakers else [],
        ga_alpha=case.ga_alpha,
        decoder_rnn_regularisation=case.regularisation,
        attention_norm=case.attention_norm,
        separate_stopnet=case.separate_stopnet,
    )


def run_forward(model: Tacotron2, batch: Dict[str, torch.Tensor]) -> Dict[str, Optional[torch.Tensor]]:
    return model(
        batch["token_id"],
        batch["token_id_lengths"],
        batch["mel"],
        batch["mel_lengths"],
        speaker_ids=batch.get("speaker_ids"),
    )


# ---------------------------------------------------------------------------- the cases themselves
def test_cases_cover_every_pair_of_options():
    fields = range(len(LEVELS))
    needed = {(i, a, j, b) for i, j in itertools.combinations(fields, 2) for a in LEVELS[i] for b in LEVELS[j]}
    covered = {(i, case[i], j, case[j]) for case in CASES for i, j in itertools.combinations(fields, 2)}
    assert needed - covered == set()


# ---------------------------------------------------------------------------- teacher-forced pass
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_forward_shapes_padding_masks_and_backward(case):
    config = case_config(case)
    model = build_model(config)
    batch = model.format_batch(make_batch(case.r, speakers=case.speakers))
    outputs = run_forward(model, batch)

    batch_size, frames, tokens = len(MEL_LENGTHS), frames_for(case.r), max(TEXT_LENGTHS)
    steps = frames // case.r
    assert outputs["model_outputs"].shape == (batch_size, frames, NUM_MELS)
    assert outputs["decoder_outputs"].shape == (batch_size, frames, NUM_MELS)
    assert outputs["alignments"].shape == (batch_size, steps, tokens)
    assert outputs["stop_tokens"].shape == (batch_size, steps)
    assert batch["stop_targets"].shape == (batch_size, steps)

    padded_frames = ~sequence_mask(batch["mel_lengths"], max_len=frames)
    assert padded_frames.any()
    assert torch.all(outputs["model_outputs"][padded_frames] == 0)
    assert torch.all(outputs["decoder_outputs"][padded_frames] == 0)
    assert outputs["model_outputs"][~padded_frames].abs().sum() > 0

    padded_tokens = ~sequence_mask(batch["token_id_lengths"], max_len=tokens)
    alignment_keys = ["alignments", "alignments_backward"] if case.ddc else ["alignments"]
    for key in alignment_keys:
        alignments = outputs[key]
        assert alignments.shape == (batch_size, steps, tokens), key
        assert torch.all(alignments.masked_select(padded_tokens[:, None, :]) == 0), key
        torch.testing.assert_close(alignments.sum(dim=2), torch.ones(batch_size, steps))
    if case.ddc:
        # the coarse outputs are left unmasked, as in Coqui: its loss is masked instead
        assert outputs["decoder_outputs_backward"].shape == (batch_size, frames, NUM_MELS)
    else:
        assert outputs["decoder_outputs_backward"] is None and outputs["alignments_backward"] is None

    _, losses = model.train_step(batch, model.get_criterion())
    expected_terms = {"decoder_loss", "postnet_loss", "stopnet_loss", "loss", "align_error"}
    expected_terms |= {"decoder_coarse_loss", "decoder_ddc_loss"} if case.ddc else set()
    expected_terms |= {"ga_loss"} if case.ga_alpha > 0 else set()
    assert expected_terms <= set(losses)
    assert ("ga_loss" in losses) == (case.ga_alpha > 0)
    assert all(torch.isfinite(value) for value in losses.values())
    losses["loss"].backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


def test_format_batch_reduces_stop_targets_to_decoder_steps():
    model = build_model(toy_config(r=3))
    batch = model.format_batch(make_batch(3, speakers=False))
    # frame-level targets are 1 from the last real frame on (frames 12, 7 and 4): a step of 3 frames is 1
    # as soon as one of its frames is
    expected = torch.tensor([[0, 0, 0, 0, 1], [0, 0, 1, 1, 1], [0, 1, 1, 1, 1]], dtype=torch.float)
    assert torch.equal(batch["stop_targets"], expected)
    assert batch["stop_target_lengths"].tolist() == [5, 3, 2]  # ceil(mel_length / r)
    assert batch["alignment_lengths"].tolist() == [5, 3, 2]


# ---------------------------------------------------------------------------- dead branches
LEARNING_RATE = 1e-3
TRAINING_STEPS = 3
# Largest |gradient| entry: real ones are >= 3e-5 at these sizes, cancelled ones rounding noise <= 4e-7.
GRADIENT_FLOOR = 2e-6


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_training_steps_change_every_parameter(case):
    """A few optimizer steps with the model's own criterion move every parameter: no dead branch.

    Adam without weight decay, so only a gradient can move a parameter (the configured RAdam's
    weight decay would move a parameter whose gradient is an all-zero tensor too).
    """
    config = case_config(case)
    model = build_model(config)
    criterion = model.get_criterion()
    batch = model.format_batch(make_batch(case.r, speakers=case.speakers))
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    first_gradients: Dict[str, float] = {}
    for step in range(TRAINING_STEPS):
        optimizer.zero_grad()
        _, losses = model.train_step(batch, criterion)
        losses["loss"].backward()
        if step == 0:
            first_gradients = {
                name: 0.0 if p.grad is None else float(p.grad.abs().max()) for name, p in model.named_parameters()
            }
        optimizer.step()

    exempt = {name: no_gradient_by_design(name, config) for name in initial}
    exempt = {name: reason for name, reason in exempt.items() if reason}
    dead = [
        name
        for name, p in model.named_parameters()
        if name not in exempt and (first_gradients[name] < GRADIENT_FLOOR or torch.equal(p.detach(), initial[name]))
    ]
    assert dead == []
    # the exemptions hold: those parameters get nothing beyond rounding noise
    assert {name: first_gradients[name] for name in exempt if first_gradients[name] >= GRADIENT_FLOOR} == {}
    assert any(name.endswith("convolution1d.bias") for name in exempt)
    # the padding token's embedding gets no gradient and stays zero
    assert torch.all(model.embedding.weight[0] == 0)


# ---------------------------------------------------------------------------- inference
def inference_inputs(case: Case):
    batch = make_batch(case.r, speakers=case.speakers)
    text = batch["token_id"][:1, : TEXT_LENGTHS[0]]
    speaker_ids = torch.tensor([1]) if case.speakers else None
    return text, speaker_ids


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_inference_stops_at_max_decoder_steps_with_a_warning(case, caplog):
    model = build_model(case_config(case)).eval()
    model.decoder.stop_threshold = 1.0  # a probability never exceeds 1: only the step limit ends decoding
    model.decoder.max_decoder_steps = 7
    text, speaker_ids = inference_inputs(case)
    with caplog.at_level(logging.WARNING, logger=DECODER_LOGGER):
        outputs = model.inference(text, speaker_ids=speaker_ids)
    assert outputs["model_outputs"].shape == (1, 7 * case.r, NUM_MELS)
    assert outputs["decoder_outputs"].shape == (1, 7 * case.r, NUM_MELS)
    assert outputs["alignments"].shape == (1, 7, TEXT_LENGTHS[0])
    assert outputs["stop_tokens"].shape == (1, 7)
    assert torch.all((outputs["stop_tokens"] >= 0) & (outputs["stop_tokens"] <= 1))
    assert all(torch.isfinite(value).all() for value in outputs.values())
    torch.testing.assert_close(outputs["alignments"].sum(dim=2), torch.ones(1, 7))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "max_decoder_steps=7" in warnings[0]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_inference_stops_by_itself_below_the_stop_threshold(case, caplog):
    model = build_model(case_config(case)).eval()
    model.decoder.stop_threshold = 0.0  # every stop probability passes it: stop as early as allowed
    model.decoder.max_decoder_steps = 50
    text, speaker_ids = inference_inputs(case)
    with caplog.at_level(logging.WARNING, logger=DECODER_LOGGER):
        outputs = model.inference(text, speaker_ids=speaker_ids)
    steps = 2  # the first step never stops
    assert outputs["alignments"].shape == (1, steps, TEXT_LENGTHS[0])
    assert outputs["model_outputs"].shape == (1, steps * case.r, NUM_MELS)
    assert outputs["stop_tokens"].shape == (1, steps)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_inference_ends_once_the_attention_has_stayed_on_the_last_symbol(case, caplog):
    model = build_model(case_config(case)).eval()
    model.decoder.stop_threshold = 1.0  # the stop token never fires
    model.decoder.max_decoder_steps = 40
    model.decoder.stop_after_text_end_frames = 5
    text, speaker_ids = inference_inputs(case)
    with caplog.at_level(logging.WARNING, logger=DECODER_LOGGER):
        one_symbol = model.inference(text[:, :1], speaker_ids=speaker_ids)  # the attention sits on its last symbol
    steps = 5 // case.r + 1  # the first step with more than 5 frames decoded there
    assert one_symbol["alignments"].shape == (1, steps, 1)
    assert one_symbol["stop_reached"].tolist() == [True]
    assert one_symbol["text_end_stop"].tolist() == [True]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # in a padded batch each item counts its own last symbol: it ends as it does alone
    if not model.decoder.attention.windowing:
        padded = torch.zeros(2, text.shape[1], dtype=text.dtype)
        padded[0, :1], padded[1] = text[0, :1], text[0]
        speakers = None if speaker_ids is None else speaker_ids.expand(2)
        both = model.inference(padded, text_lengths=torch.tensor([1, text.shape[1]]), speaker_ids=speakers)
        alone = model.inference(text, speaker_ids=speaker_ids)
        assert both["lengths"].tolist() == [steps * case.r, int(alone["lengths"][0])]
    model.decoder.stop_after_text_end_frames = 0  # off: only the step limit ends a never-firing stop token
    with caplog.at_level(logging.WARNING, logger=DECODER_LOGGER):
        off = model.inference(text[:, :1], speaker_ids=speaker_ids)
    assert off["alignments"].shape == (1, 40, 1)
    assert off["text_end_stop"].tolist() == [False] and off["stop_reached"].tolist() == [False]
    model.decoder.stop_after_text_end_frames = case.r  # due from step 2 on, the first step the stop token may end
    model.decoder.stop_threshold = 0.0  # it fires: the item ended by its stop token
    token = model.inference(text[:, :1], speaker_ids=speaker_ids)
    assert token["alignments"].shape == (1, 2, 1)
    assert token["stop_reached"].tolist() == [True] and token["text_end_stop"].tolist() == [False]


def test_multi_speaker_model_needs_speaker_ids():
    model = build_model(case_config(CASES[2])).eval()
    text, _ = inference_inputs(CASES[2])
    with pytest.raises(ValueError, match="speaker_ids"):
        model.inference(text)


# ---------------------------------------------------------------------------- reduction factor
@pytest.mark.parametrize("new_r", [1, 2])
@pytest.mark.parametrize("ddc", [False, True])
def test_set_r_below_r_init_works_in_forward_and_inference(new_r, ddc):
    config = toy_config(r=3, double_decoder_consistency=ddc, ddc_r=DDC_R)
    model = build_model(config)
    model.decoder.set_r(new_r)
    assert (model.decoder.r, model.decoder.r_init) == (new_r, 3)

    batch = model.format_batch(make_batch(new_r, speakers=False))
    frames = frames_for(new_r)
    outputs = run_forward(model, batch)
    assert outputs["model_outputs"].shape == (len(MEL_LENGTHS), frames, NUM_MELS)
    assert outputs["alignments"].shape == (len(MEL_LENGTHS), frames // new_r, max(TEXT_LENGTHS))
    assert outputs["stop_tokens"].shape == batch["stop_targets"].shape == (len(MEL_LENGTHS), frames // new_r)
    assert torch.all(outputs["model_outputs"][~sequence_mask(batch["mel_lengths"], max_len=frames)] == 0)
    if ddc:  # the coarse decoder keeps its own reduction factor
        assert model.coarse_decoder.r == DDC_R
        assert outputs["alignments_backward"].shape == outputs["alignments"].shape
    _, losses = model.train_step(batch, model.get_criterion())
    losses["loss"].backward()
    assert torch.isfinite(losses["loss"])

    model.eval()
    model.decoder.stop_threshold = 1.0
    model.decoder.max_decoder_steps = 4
    inferred = model.inference(batch["token_id"][:1, : TEXT_LENGTHS[0]])
    assert inferred["model_outputs"].shape == (1, 4 * new_r, NUM_MELS)
    assert inferred["alignments"].shape == (1, 4, TEXT_LENGTHS[0])


@pytest.mark.parametrize("r", [0, 4])
def test_set_r_outside_one_to_r_init_is_refused(r):
    model = build_model(toy_config(r=3))
    with pytest.raises(ValueError, match="r_init=3"):
        model.decoder.set_r(r)
    assert model.decoder.r == 3


SCHEDULE = [[0, 3, 32], [10, 2, 16], [20, 1, 8]]


@pytest.mark.parametrize(
    "step, expected", [(0, (3, 32)), (9, (3, 32)), (10, (2, 16)), (19, (2, 16)), (20, (1, 8)), (10_000, (1, 8))]
)
def test_gradual_training_step_picks_the_last_started_entry(step, expected):
    assert gradual_training_step(SCHEDULE, step) == expected


def test_on_epoch_start_applies_the_gradual_training_schedule():
    model = build_model(toy_config(r=3, gradual_training=SCHEDULE))
    trainer = SimpleNamespace(
        total_steps_done=12, config=SimpleNamespace(r=3, batch_size=32), train_loader="old", eval_loader="old"
    )
    model.on_epoch_start(trainer)
    assert model.decoder.r == 2 and model.decoder.r_init == 3
    assert (trainer.config.r, trainer.config.batch_size) == (2, 16)
    assert trainer.train_loader is None and trainer.eval_loader is None  # rebuilt with the new padding and size
    # nothing to change later in the same stage: the loaders are kept
    trainer.train_loader = trainer.eval_loader = "new"
    trainer.total_steps_done = 15
    model.on_epoch_start(trainer)
    assert model.decoder.r == 2 and trainer.train_loader == "new"


# ---------------------------------------------------------------------------- attention prior
def test_beta_binomial_prior_is_a_distribution_moving_along_the_diagonal():
    text_lengths, step_lengths = torch.tensor([9, 4]), torch.tensor([7, 3])
    prior = beta_binomial_prior(text_lengths, step_lengths, 9, 7)
    assert prior.shape == (2, 7, 9)
    torch.testing.assert_close(prior[0].sum(dim=1), torch.ones(7))
    torch.testing.assert_close(prior[1, :3].sum(dim=1), torch.ones(3))
    assert (prior[1, :3, 4:] == 0).all()  # padded tokens
    assert (prior[1, 3:] == 1).all()  # padded steps: multiplying leaves them unchanged
    for item, (tokens, steps) in enumerate(zip(text_lengths.tolist(), step_lengths.tolist())):
        mean_position = (prior[item, :steps, :tokens] * torch.arange(tokens)).sum(dim=1)
        assert (mean_position.diff() > 0).all()
        assert mean_position[0] < tokens / 2 < mean_position[-1]

    def spread(p: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(9.0)
        mean = (p * positions).sum(dim=1, keepdim=True)
        return (p * (positions - mean) ** 2).sum(dim=1)

    sharper = beta_binomial_prior(text_lengths, step_lengths, 9, 7, scaling=10.0)
    assert (spread(sharper[0]) < spread(prior[0])).all()


@pytest.mark.parametrize(
    "step, expected", [(0, 1.0), (59, 1.0), (60, 1.0), (70, 0.75), (99, 0.025), (100, 0.0), (500, 0.0)]
)
def test_attention_prior_weight_holds_then_fades_out(step, expected):
    assert attention_prior_weight(100, 40, step) == pytest.approx(expected)
    assert attention_prior_weight(0, 0, step) == 0.0  # off


def no_prior_outputs_key_is_none(outputs) -> bool:
    return outputs["alignments_without_prior"] is None


def test_attention_prior_pulls_training_alignments_to_the_diagonal_and_never_touches_inference():
    config = toy_config(
        r=1, attention_prior_until_step=100, attention_prior_fade_steps=50, attention_prior_scaling=20.0
    )
    model = build_model(config)
    batch = make_batch(1, speakers=False)
    trainer = SimpleNamespace(total_steps_done=10, config=SimpleNamespace(grad_clip=1.0), optimizer=None)
    model.on_train_step_start(trainer)
    assert model.attention_prior_weight == 1.0

    def diagonal_distance(alignments: torch.Tensor) -> float:
        """Mean distance of each real step's expected token position from the diagonal, in tokens."""
        distances = []
        for item, (tokens, steps) in enumerate(zip(TEXT_LENGTHS, MEL_LENGTHS)):
            expected = (alignments[item, :steps, :tokens] * torch.arange(tokens)).sum(dim=1)
            diagonal = torch.linspace(0, tokens - 1, steps)
            distances.append((expected - diagonal).abs().mean())
        return float(torch.stack(distances).mean().detach())

    torch.manual_seed(3)
    with_prior = run_forward(model.train(), batch)["alignments"]
    model.attention_prior_weight = 0.0
    torch.manual_seed(3)
    without_prior = run_forward(model, batch)["alignments"]
    assert diagonal_distance(with_prior) < 0.5 < diagonal_distance(without_prior)
    torch.testing.assert_close(with_prior.sum(dim=2)[0], torch.ones(max(MEL_LENGTHS)))
    model.attention_prior_weight = 1.0
    torch.manual_seed(3)
    outputs = run_forward(model, batch)
    # the attention's own weights are kept apart (the guided attention loss and align_error use them):
    # at the first step, before the prior has shaped any state, they are the weights of a run without it
    own = outputs["alignments_without_prior"]
    torch.testing.assert_close(outputs["alignments"], with_prior)
    torch.testing.assert_close(own[:, 0], without_prior[:, 0])
    assert not torch.allclose(own[:, 0], with_prior[:, 0])
    assert no_prior_outputs_key_is_none(run_forward(model.eval(), batch))
    model.train()

    model.eval()
    model.attention_prior_weight = 1.0
    prior_set = run_forward(model, batch)["alignments"]
    model.attention_prior_weight = 0.0
    torch.testing.assert_close(prior_set, run_forward(model, batch)["alignments"])

    trainer.total_steps_done = 100
    model.on_train_step_start(trainer)
    assert model.attention_prior_weight == 0.0


# ---------------------------------------------------------------------------- config checks
@pytest.mark.parametrize(
    "field, value",
    [
        ("r", 0),
        ("ddc_r", 0),
        ("prenet_type", "x"),
        ("attention_norm", "tanh"),
        ("decoder_rnn_regularisation", "batchnorm"),
        ("encoder_kernel_size", 4),
        ("postnet_kernel_size", 6),
        ("attention_location_kernel_size", 30),
        ("use_forward_attn", True),
        ("max_decoder_steps", 0),
        ("stop_after_text_end_frames", -1),
        ("attention_prior_until_step", -1),
        ("attention_prior_fade_steps", 1),  # longer than attention_prior_until_step (0)
        ("attention_prior_scaling", 0.0),
    ],
)
def test_invalid_config_raises_config_error_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=f"'{field}'"):
        toy_config(**{field: value})


def test_model_without_vocabulary_size_takes_it_from_the_config_vocabulary():
    # Coqui 0.28's Tacotron2(config) with num_chars unset: the embedding fits the vocabulary the config describes
    config = toy_config(num_chars=0)
    model = build_model(config)
    vocabulary = characters_from_config(None, use_phonemes=config.use_phonemes)[0]
    assert config.num_chars == vocabulary.num_chars == model.embedding.num_embeddings
    assert config.characters is not None


def test_speaker_embedding_without_speakers_is_a_config_error():
    with pytest.raises(ConfigError, match="'use_speaker_embedding'"):
        build_model(toy_config(use_speaker_embedding=True))


def test_config_saved_after_gradual_training_lowered_r_loads_the_run_checkpoints():
    schedule = [[0, 6, 4], [100, 3, 4]]
    first = Tacotron2(toy_config(r=6, gradual_training=schedule))
    later = Tacotron2(toy_config(r=3, gradual_training=schedule))  # the run's config after step 100
    assert (later.decoder.r_init, later.decoder.r) == (6, 3)
    later.load_state_dict(first.state_dict())  # same layer shapes: no size mismatch
    assert (Tacotron2(toy_config(r=3)).decoder.r_init, Tacotron2(toy_config(r=3)).decoder.r) == (3, 3)


def test_a_run_restored_from_a_checkpoint_at_r4_does_not_go_back_to_r6():
    schedule = [[0, 6, 16], [6000, 4, 24], [12000, 3, 32]]
    assert schedule_from_r(schedule, 4) == [[0, 4, 24], [12000, 3, 32]]
    assert schedule_from_r(schedule, 6) == schedule and schedule_from_r(schedule, 2) == [[0, 2, 16]]
    model = Tacotron2(toy_config(r=6, gradual_training=schedule))
    model.set_restore_source(toy_config(r=4, gradual_training=schedule))  # what train_tts --restore_path does
    trainer = SimpleNamespace(
        total_steps_done=0, config=SimpleNamespace(r=6, batch_size=16), train_loader=1, eval_loader=1
    )
    model.on_epoch_start(trainer)
    assert (model.decoder.r, trainer.config.r, trainer.config.batch_size) == (4, 4, 24)
    trainer.total_steps_done = 12000
    model.on_epoch_start(trainer)
    assert model.decoder.r == 3
    # the config can name the start itself (a run from scratch compared with one restored at r=4)
    scratch = Tacotron2(toy_config(r=6, gradual_training=schedule, gradual_training_start_r=4))
    trainer.total_steps_done = 0
    scratch.on_epoch_start(trainer)
    assert scratch.decoder.r == 4 and scratch.decoder.r_init == 6


def test_continuing_a_restored_run_keeps_its_r(tmp_path):
    """--continue_path rebuilds the model from the run folder's config.json: the restored r is in it."""
    schedule = [[0, 6, 16], [6000, 4, 24], [7500, 3, 32]]
    restored = Tacotron2(toy_config(r=6, gradual_training=schedule))
    restored.set_restore_source(toy_config(r=3, gradual_training=schedule))
    restored.config.save_json(str(tmp_path / "config.json"))  # what the trainer writes to the run folder
    continued = Tacotron2(load_config(str(tmp_path / "config.json")))  # what --continue_path builds
    assert continued.config.gradual_training_start_r == 3
    trainer = SimpleNamespace(
        total_steps_done=260, config=SimpleNamespace(r=6, batch_size=16), train_loader=1, eval_loader=1
    )
    continued.on_epoch_start(trainer)
    assert (continued.decoder.r, trainer.config.batch_size) == (3, 32)
    # a start the config names itself is kept
    named = Tacotron2(toy_config(r=6, gradual_training=schedule, gradual_training_start_r=4))
    named.set_restore_source(toy_config(r=3, gradual_training=schedule))
    assert named.config.gradual_training_start_r == 4
