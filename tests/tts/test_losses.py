import torch

from TTS.tts.layers.tacotron2.losses import Tacotron2Loss, guided_attention_loss, masked_mse, ssim_loss


def test_ssim_on_inputs_shorter_than_its_window():
    torch.manual_seed(0)
    target = torch.rand(2, 5, 8)  # 5 frames, 8 bands: both under the 11x11 window
    lengths = torch.tensor([5, 3])
    assert float(ssim_loss(target, target, lengths)) == 0.0
    other = float(ssim_loss(torch.rand(2, 5, 8), target, lengths))
    assert 0.0 < other <= 1.0


def test_masked_mse_ignores_padding():
    target = torch.zeros(2, 4, 3)
    prediction = torch.zeros(2, 4, 3)
    prediction[1, 2:] = 100.0  # padding of item 1
    assert float(masked_mse(prediction, target, torch.tensor([4, 2]))) == 0.0
    prediction[1, 1] = 1.0
    assert abs(float(masked_mse(prediction, target, torch.tensor([4, 2]))) - 3 / (6 * 3)) < 1e-7


def test_guided_attention_is_zero_on_the_diagonal_and_positive_off_it():
    steps = tokens = 6
    diagonal = torch.eye(steps)[None]
    off = torch.flip(torch.eye(steps), dims=[1])[None]
    lengths = torch.tensor([tokens])
    assert float(guided_attention_loss(diagonal, lengths, torch.tensor([steps]))) < 1e-6
    assert float(guided_attention_loss(off, lengths, torch.tensor([steps]))) > 0.05


def test_guided_attention_term_uses_the_attentions_own_weights_when_given():
    """While a training prior reshapes the alignments, the guide applies to the attention's own weights."""
    steps = tokens = 6
    diagonal = torch.eye(steps)[None]
    off = torch.flip(torch.eye(steps), dims=[1])[None]
    frames = torch.zeros(1, steps, 3)
    lengths = torch.tensor([steps])
    inputs = dict(
        postnet_outputs=frames, decoder_outputs=frames, mel_targets=frames, mel_lengths=lengths,
        stop_logits=torch.zeros(1, steps), stop_targets=torch.zeros(1, steps), stop_target_lengths=lengths,
        alignments=diagonal, alignment_lengths=lengths, text_lengths=torch.tensor([tokens]),
    )  # fmt: skip
    criterion = Tacotron2Loss(decoder_ssim_alpha=0.0, postnet_ssim_alpha=0.0)
    assert float(criterion(**inputs)["ga_loss"]) < 1e-6
    assert float(criterion(**inputs, guided_alignments=off)["ga_loss"]) == float(
        guided_attention_loss(off, torch.tensor([tokens]), lengths)
    )


def test_guided_attention_counts_an_empty_alignment_as_one_step():
    """A clip shorter than r frames gets alignment length 0 (Coqui's formula); the loss stays finite."""
    alignments = torch.full((2, 5, 4), 0.25, requires_grad=True)
    loss = guided_attention_loss(alignments, torch.tensor([4, 3]), torch.tensor([5, 0]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(alignments.grad).all()


def test_clip_shorter_than_one_decoder_step_gives_finite_loss_and_gradients():
    """A 2-frame clip batched with a 30-frame one at r=6: every loss term and every gradient is finite."""
    from helpers.toy_models import TOY_TACOTRON2_WIDTHS

    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.tts.configs.tacotron2_config import Tacotron2Config
    from TTS.tts.models.tacotron2 import Tacotron2

    torch.manual_seed(0)
    num_mels, r = 6, 6
    config = Tacotron2Config(
        num_chars=10, r=r, out_channels=num_mels, decoder_output_dim=num_mels,
        audio=BaseAudioConfig(num_mels=num_mels), **TOY_TACOTRON2_WIDTHS,
    )  # fmt: skip
    model = Tacotron2(config)
    mel_lengths = torch.tensor([30, 2])
    frames = 30
    batch = model.format_batch(
        {
            "token_id": torch.tensor([[1, 2, 3, 4], [5, 6, 0, 0]]),
            "token_id_lengths": torch.tensor([4, 2]),
            "mel": torch.randn(2, frames, num_mels),
            "mel_lengths": mel_lengths,
            "stop_targets": (torch.arange(frames)[None, :] >= (mel_lengths - 1)[:, None]).float(),
        }
    )
    assert batch["alignment_lengths"].tolist() == [5, 0]  # Coqui's formula, kept for parity
    model.train()
    _, losses = model.train_step(batch, model.get_criterion())
    assert all(torch.isfinite(value).all() for value in losses.values()), losses
    losses["loss"].backward()
    bad = [name for name, p in model.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
    assert not bad, bad
