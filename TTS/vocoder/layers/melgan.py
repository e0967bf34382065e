"""The residual stack of the MelGAN generators (Kumar et al., 2019), with Coqui's state-dict layout.

Each of ``num_res_blocks`` blocks is ``lrelu -> reflection pad -> dilated conv (dilation kernel**i) -> lrelu ->
1x1 conv``, added to a 1x1-conv shortcut of its input; all convolutions are weight-normalised.
"""

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

# negative slope of every leaky ReLU of the MelGAN generators
MELGAN_LRELU_SLOPE = 0.2


class ResidualStack(nn.Module):
    """Dilated residual blocks whose receptive field grows as ``kernel_size ** i``.

    Parameters
    ----------
    channels:
        Width of the stack (input = output).
    num_res_blocks:
        Number of blocks; block ``i`` has dilation ``kernel_size ** i``.
    kernel_size:
        Kernel size of the dilated convolutions (odd).

    Shapes
    ------
    x: (B, channels, T) -> (B, channels, T)
    """

    def __init__(self, *, channels: int, num_res_blocks: int, kernel_size: int) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}")
        half = (kernel_size - 1) // 2
        # module indices 2 and 4 of each block hold the convolutions (Coqui's keys blocks.<i>.2 / blocks.<i>.4)
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.LeakyReLU(MELGAN_LRELU_SLOPE),
                nn.ReflectionPad1d(half * kernel_size**i),
                weight_norm(nn.Conv1d(channels, channels, kernel_size, dilation=kernel_size**i)),
                nn.LeakyReLU(MELGAN_LRELU_SLOPE),
                weight_norm(nn.Conv1d(channels, channels, 1)),
            )
            for i in range(num_res_blocks)
        )
        self.shortcuts = nn.ModuleList(weight_norm(nn.Conv1d(channels, channels, 1)) for _ in range(num_res_blocks))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block, shortcut in zip(self.blocks, self.shortcuts):
            x = shortcut(x) + block(x)
        return x
