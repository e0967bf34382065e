import torch

from TTS.tts.layers.tacotron2.losses import guided_attention_loss, masked_mse, ssim_loss


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
