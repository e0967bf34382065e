"""GAN vocoder training: the two-optimizer steps, Coqui checkpoints (discriminator included), one epoch of a
toy HiFi-GAN through train_vocoder, --restore_path with its report, --continue_path exactness, and a recipe
file written the way Coqui's HiFi-GAN recipe is."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers.vocoder import TOY_DISCRIMINATOR, toy_hifigan_config, write_tones

from TTS.bin import train_vocoder
from TTS.config import load_config
from TTS.utils.audio import AudioProcessor
from TTS.utils.restore import RestoreError
from TTS.vocoder.datasets.preprocess import load_wav_data
from TTS.vocoder.models.gan import GAN

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def corpus(tmp_path):
    write_tones(tmp_path / "wavs")
    return tmp_path / "wavs"


def toy_batch(model, corpus):
    _, train_items = load_wav_data(str(corpus), 2)
    loader = model.get_data_loader(model.config, is_eval=False, samples=train_items, verbose=False)
    return model.format_batch(next(iter(loader)))


def step(model, batch, criteria, optimizers):
    losses = {}
    for idx in (0, 1):
        _, loss_dict = model.train_step(batch, criteria[idx], idx)
        if loss_dict:
            loss_dict["loss"].backward()
            optimizers[idx].step()
            optimizers[idx].zero_grad()
        losses[idx] = loss_dict
    return losses


@pytest.mark.slow
def test_every_parameter_of_both_networks_trains(tmp_path, corpus, one_thread_and_seed):
    model = GAN(toy_hifigan_config(corpus, tmp_path))
    batch = toy_batch(model, corpus)
    assert batch["input"].shape == (2, 20, 8) and batch["waveform"].shape == (2, 1, 512)
    before = {k: v.clone() for k, v in model.named_parameters()}
    criteria, optimizers = model.get_criterion(), model.get_optimizer()
    for _ in range(3):
        losses = step(model, batch, criteria, optimizers)
    assert {"D_mse_gan_loss", "D_mse_gan_real_loss", "D_mse_gan_fake_loss", "loss"} == set(losses[0])
    assert {"G_l1_spec_loss", "G_mse_fake_loss", "G_feat_match_loss", "G_gen_loss", "G_adv_loss", "loss"} == set(
        losses[1]
    )
    unchanged = [k for k, v in model.named_parameters() if torch.equal(v, before[k])]
    assert unchanged == []


def test_the_discriminator_waits_for_its_start_step(tmp_path, corpus, one_thread_and_seed):
    model = GAN(toy_hifigan_config(corpus, tmp_path, steps_to_start_discriminator=5))
    trainer = type("T", (), {"total_steps_done": 0})()
    model.on_train_step_start(trainer)
    batch = toy_batch(model, corpus)
    disc_before = {k: v.clone() for k, v in model.model_d.named_parameters()}
    losses = step(model, batch, model.get_criterion(), model.get_optimizer())
    assert losses[0] == {} and "G_mse_fake_loss" not in losses[1] and losses[1]["G_adv_loss"].item() == 0
    assert all(torch.equal(v, disc_before[k]) for k, v in model.model_d.named_parameters())
    trainer.total_steps_done = 5
    model.on_train_step_start(trainer)
    losses = step(model, batch, model.get_criterion(), model.get_optimizer())
    assert "D_mse_gan_loss" in losses[0] and "G_mse_fake_loss" in losses[1]


def test_optimizers_schedulers_and_rates_follow_coquis_order(tmp_path, corpus):
    config = toy_hifigan_config(corpus, tmp_path, lr_gen=3e-4, lr_disc=1e-4)
    ap = AudioProcessor.init_from_config(config)
    model = GAN(config, ap)  # GAN(config) builds its own
    assert model.ap is ap and GAN(config).ap.hop_length == ap.hop_length
    disc_opt, gen_opt = model.get_optimizer()
    assert disc_opt.param_groups[0]["params"][0] is next(model.model_d.parameters())
    assert gen_opt.param_groups[0]["params"][0] is next(model.model_g.parameters())
    assert model.get_lr() == [1e-4, 3e-4]
    assert [type(s).__name__ for s in model.get_scheduler([disc_opt, gen_opt])] == ["ExponentialLR", "ExponentialLR"]


def coqui_layout(model, *, old_weight_norm=False):
    """The model's state dict as Coqui's trainer writes it, weight norm optionally as torch's old g/v names."""
    state = {}
    for key, value in model.state_dict().items():
        if old_weight_norm:
            key = key.replace("parametrizations.weight.original0", "weight_g").replace(
                "parametrizations.weight.original1", "weight_v"
            )
        state[key] = value.clone()
    return {
        "config": model.config.to_dict(),
        "model": state,
        "optimizer": None,
        "scheduler": None,
        "step": 7,
        "epoch": 1,
    }


def test_coqui_checkpoints_load_generator_and_discriminator(tmp_path, corpus, one_thread_and_seed):
    source = GAN(toy_hifigan_config(corpus, tmp_path))
    target = GAN(toy_hifigan_config(corpus, tmp_path))
    for old in (False, True):
        torch.save(coqui_layout(source, old_weight_norm=old), tmp_path / "ckpt.pth")
        target.load_checkpoint(target.config, str(tmp_path / "ckpt.pth"))
        assert target.restore_report.complete
        assert all(torch.equal(v, source.state_dict()[k]) for k, v in target.state_dict().items())
    # the layout before Coqui v0.0.15: bare generator under "model", discriminator under "model_disc"
    old = {"model": source.model_g.state_dict(), "model_disc": source.model_d.state_dict(), "step": 1, "epoch": 0}
    torch.save(old, tmp_path / "old.pth")
    fresh = GAN(toy_hifigan_config(corpus, tmp_path))
    fresh.load_checkpoint(fresh.config, str(tmp_path / "old.pth"))
    assert all(torch.equal(v, source.state_dict()[k]) for k, v in fresh.state_dict().items())


def test_a_checkpoint_without_discriminator_keeps_it_at_its_initial_weights(tmp_path, corpus, caplog):
    source, target = GAN(toy_hifigan_config(corpus, tmp_path)), GAN(toy_hifigan_config(corpus, tmp_path))
    initial = {k: v.clone() for k, v in target.model_d.state_dict().items()}
    generator_only = {f"model_g.{k}": v for k, v in source.model_g.state_dict().items()}
    with caplog.at_level(logging.WARNING):
        target.load_state_dict(generator_only)
    assert "no discriminator (model_d.*)" in caplog.text
    assert all(torch.equal(v, initial[k]) for k, v in target.model_d.state_dict().items())
    assert all(torch.equal(v, source.model_g.state_dict()[k]) for k, v in target.model_g.state_dict().items())
    wrong = GAN(
        toy_hifigan_config(
            corpus, tmp_path, discriminator_model_params=dict(TOY_DISCRIMINATOR, period_channels=[4, 16])
        )
    )
    with pytest.raises(RestoreError, match="with a different shape"):
        wrong.load_state_dict(source.state_dict())


@pytest.mark.slow
def test_regenerated_coqui_hifigan_loads_whole_and_synthesises_its_reference(coqui_fixtures, coqui_checkpoint):
    config = load_config(str(coqui_fixtures / "v_hifigan" / "config.json"))
    model = GAN(config)
    path = coqui_checkpoint("v_hifigan")
    model.load_checkpoint(config, str(path))
    assert model.restore_report.complete and len(model.restore_report.loaded) == 404  # 170 of them model_d.*
    model.load_checkpoint(config, str(path), eval=True)
    assert model.model_d is None
    refs = np.load(coqui_fixtures / "v_hifigan" / "refs.npz")
    wav = model.inference(torch.from_numpy(refs["mel"])).numpy()
    cut = 5 * 256  # Coqui's inference padding, trimmed by ours
    assert np.abs(wav - refs["wav"][..., cut:-cut]).max() < 1e-4


def run_dir(output):
    (folder,) = [p for p in output.iterdir() if p.is_dir()]
    return folder


@pytest.mark.slow
def test_one_epoch_of_a_toy_hifigan_logs_audio_and_spectrograms(tmp_path, corpus, one_thread_and_seed, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["train_vocoder.py"])
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    config = toy_hifigan_config(corpus, tmp_path / "out")
    trainer = train_vocoder.train([], config)
    folder = run_dir(tmp_path / "out")
    checkpoint = torch.load(folder / "best_model.pth", weights_only=True)
    assert checkpoint["step"] == 2 and checkpoint["epoch"] == 0  # 4 training files, batch 2
    assert len(checkpoint["optimizer"]) == 2 and len(checkpoint["scheduler"]) == 2
    assert sum(k.startswith("model_d.") for k in checkpoint["model"]) == len(trainer.model.model_d.state_dict())
    events = EventAccumulator(str(next(folder.glob("events.*"))))
    events.Reload()
    assert {"EvalAudios/eval/audio", "TrainAudios/train/audio"} <= set(events.Tags()["audio"])
    assert {
        "EvalFigures/eval/spectrogram/fake",
        "EvalFigures/eval/spectrogram/real",
        "EvalFigures/eval/speech_comparison",
    } <= set(events.Tags()["images"])


@pytest.mark.slow
def test_continue_resumes_exactly_and_restore_reports(tmp_path, corpus, one_thread_and_seed, caplog, monkeypatch):
    def train(argv, config=None):
        monkeypatch.setattr(sys, "argv", ["train_vocoder.py", *argv])  # the trainer parses the command line again
        return train_vocoder.train(argv, config)

    straight = train([], toy_hifigan_config(corpus, tmp_path / "a", epochs=2))
    train([], toy_hifigan_config(corpus, tmp_path / "b", epochs=1))
    continued = train(["--continue_path", str(run_dir(tmp_path / "b")), "--coqpit.epochs", "2"])
    assert continued.total_steps_done == straight.total_steps_done == 4
    expected = straight.model.state_dict()
    assert all(torch.equal(v, expected[k]) for k, v in continued.model.state_dict().items())
    for mine, theirs in zip(continued.optimizer, straight.optimizer):
        for a, b in zip(mine.state.values(), theirs.state.values()):
            assert torch.equal(a["exp_avg_sq"], b["exp_avg_sq"])
    assert [s.get_last_lr() for s in continued.scheduler] == [s.get_last_lr() for s in straight.scheduler]

    # --restore_path from a Coqui-layout checkpoint (old weight-norm names): new run at step 0, report logged
    torch.save(coqui_layout(straight.model, old_weight_norm=True), tmp_path / "coqui.pth")
    with caplog.at_level(logging.INFO):
        restored = train(
            ["--restore_path", str(tmp_path / "coqui.pth")], toy_hifigan_config(corpus, tmp_path / "c", epochs=1)
        )
    assert f"restore: {len(expected)} tensors loaded" in caplog.text
    assert restored.total_steps_done == 2 and restored.epochs_done == 0


def test_bad_input_is_one_error_line(tmp_path, corpus, capsys):
    config = toy_hifigan_config(corpus, tmp_path / "out")
    config.save_json(str(tmp_path / "config.json"))
    with pytest.raises(
        SystemExit, match="error: config field 'seq_len': must be a positive multiple of audio.hop_length"
    ):
        train_vocoder.run(argv=["--config_path", str(tmp_path / "config.json"), "--coqpit.seq_len", "100"])
    with pytest.raises(SystemExit, match="error: unknown config field 'lr_gn' \\(did you mean 'lr_gen'"):
        train_vocoder.run(argv=["--config_path", str(tmp_path / "config.json"), "--coqpit.lr_gn", "1"])
    with pytest.raises(SystemExit, match="error: config field 'data_path': no \\*.wav file under"):
        train_vocoder.run(
            argv=["--config_path", str(tmp_path / "config.json"), "--coqpit.data_path", str(tmp_path / "none")]
        )
    write_tones(corpus, count=1, rate=16000)  # overwrites tone_00.wav at another rate
    with pytest.raises(
        SystemExit, match="error: audio file .*tone_00.wav has sample rate 16000 Hz but audio.sample_rate is 8000"
    ):
        train_vocoder.run(argv=["--config_path", str(tmp_path / "config.json")])


COQUI_STYLE_RECIPE = """
import os

from trainer import Trainer, TrainerArgs

from TTS.vocoder.configs import HifiganConfig
from TTS.vocoder.datasets.preprocess import load_wav_data
from TTS.vocoder.models.gan import GAN

output_path = os.path.dirname(os.path.abspath(__file__))


def main():
    config = HifiganConfig(
        batch_size=2,
        eval_batch_size=1,
        num_loader_workers=0,
        num_eval_loader_workers=0,
        run_eval=True,
        test_delay_epochs=5,
        epochs=1,
        seq_len=1024,
        pad_short=100,
        use_noise_augment=True,
        eval_split_size=2,
        print_step=1,
        print_eval=False,
        mixed_precision=False,
        lr_gen=1e-4,
        lr_disc=1e-4,
        data_path=os.path.join(output_path, "wavs/"),
        output_path=output_path,
        discriminator_model_params=DISCRIMINATOR,
    )
    # a toy generator: 4 x 4 x 4 x 4 = the default hop of 256 samples
    config.generator_model_params.upsample_factors = [4, 4, 4, 4]
    config.generator_model_params.upsample_kernel_sizes = [8, 8, 8, 8]
    config.generator_model_params.upsample_initial_channel = 32
    config.generator_model_params.resblock_kernel_sizes = [3]
    config.generator_model_params.resblock_dilation_sizes = [[1, 3, 5]]

    # load training samples
    eval_samples, train_samples = load_wav_data(config.data_path, config.eval_split_size)

    # init model
    model = GAN(config)

    # init the trainer
    trainer = Trainer(
        TrainerArgs(), config, output_path, model=model, train_samples=train_samples, eval_samples=eval_samples
    )
    trainer.fit()


if __name__ == "__main__":
    main()
"""


@pytest.mark.slow
def test_a_recipe_written_like_coquis_trains_an_epoch(tmp_path):
    write_tones(tmp_path / "wavs", seconds=0.25, rate=22050)  # Coqui's default audio config: 22050 Hz
    recipe = COQUI_STYLE_RECIPE.replace("DISCRIMINATOR", repr(dict(TOY_DISCRIMINATOR)))
    (tmp_path / "train_hifigan.py").write_text(recipe)
    done = subprocess.run(
        [sys.executable, "train_hifigan.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("run-")]
    checkpoint = torch.load(folder / "best_model.pth", weights_only=True)
    assert checkpoint["step"] == 2 and any(k.startswith("model_d.") for k in checkpoint["model"])


def test_recipes_build_their_models():
    import importlib.util

    for path, model in (("hifigan/train_hifigan.py", "hifigan"), ("multiband_melgan/train.py", "multiband_melgan")):
        spec = importlib.util.spec_from_file_location("recipe", REPO / "recipes" / "ljspeech" / path)
        recipe = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(recipe)
        config = recipe.make_config()
        config.check_values()
        assert config.model == model and config.audio.sample_rate == 22050
        train_vocoder.check_vocoder_values(config)


def test_multiband_melgan_trains_on_pqmf_bands_with_its_subband_loss(tmp_path, corpus, one_thread_and_seed):
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.vocoder.configs import MultibandMelganConfig

    small_stft = {"n_ffts": [128, 256], "hop_lengths": [32, 64], "win_lengths": [128, 256]}
    config = MultibandMelganConfig(
        audio=BaseAudioConfig(
            sample_rate=8000, fft_size=256, win_length=256, hop_length=64, num_mels=20, do_trim_silence=False
        ),
        generator_model_params={"upsample_factors": [4, 4], "num_res_blocks": 1},  # x 4 bands = hop 64
        discriminator_model_params={"base_channels": 4, "max_channels": 16, "downsample_factors": [4]},
        stft_loss_params=small_stft,
        subband_stft_loss_params={"n_ffts": [32, 64], "hop_lengths": [8, 16], "win_lengths": [32, 64]},
        subband_stft_loss_weight=0.5,
        steps_to_start_discriminator=0,
        seq_len=8 * 64,
        batch_size=2,
        data_path=str(corpus),
    )
    model = GAN(config)
    batch = toy_batch(model, corpus)
    before = {k: v.clone() for k, v in model.named_parameters()}
    losses = step(model, batch, model.get_criterion(), model.get_optimizer())
    assert {
        "G_stft_loss_mg",
        "G_stft_loss_sc",
        "G_subband_stft_loss_mg",
        "G_subband_stft_loss_sc",
        "G_mse_fake_loss",
    } <= set(losses[1])
    gen = 0.5 * (losses[1]["G_stft_loss_mg"] + losses[1]["G_stft_loss_sc"]) + 0.5 * (
        losses[1]["G_subband_stft_loss_mg"] + losses[1]["G_subband_stft_loss_sc"]
    )
    assert losses[1]["G_gen_loss"].item() == pytest.approx(gen.item(), rel=1e-5)
    assert model.forward(batch["input"]).shape == (2, 4, 128)  # 4 sub-bands of a quarter of the samples
    assert all(not torch.equal(v, before[f"model_g.{k}"]) for k, v in model.model_g.named_parameters())


def test_separate_discriminator_samples_feed_the_discriminator_step(tmp_path, corpus, one_thread_and_seed):
    model = GAN(toy_hifigan_config(corpus, tmp_path, diff_samples_for_G_and_D=True, use_cache=True))
    batch = toy_batch(model, corpus)
    assert set(batch) == {"input", "waveform", "input_disc", "waveform_disc"}
    seen = []
    model.model_d.register_forward_hook(lambda module, args, output: seen.append(args[0]))
    criteria = model.get_criterion()
    model.train_step(batch, criteria[0], 0)
    assert torch.equal(seen[1], batch["waveform_disc"])  # real audio of the discriminator's own segments
    assert not torch.equal(seen[1], batch["waveform"])
    _, losses = model.train_step(batch, criteria[1], 1)
    assert "G_feat_match_loss" in losses
