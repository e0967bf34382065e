"""Location-variable convolutions of UnivNet (Jang et al., 2021; from LVCNet): kernels predicted per mel frame.

``KernelPredictor`` turns the mel into one set of convolution kernels and biases per frame;
``LVCBlock`` upsamples its input and runs gated convolutions whose weights change every hop.
Module names and Sequential indices follow Coqui's state-dict layout.
"""

from typing import Tuple

import torch
from torch import nn
from torch.nn import functional as F

# negative slope of the kernel predictor's leaky ReLUs and of the LVC block's
KPNET_LRELU_SLOPE = 0.1
LVC_LRELU_SLOPE = 0.2
# kernel size of the kernel predictor's input convolution
KPNET_INPUT_KERNEL = 5
# residual convolutions of the kernel predictor (three pairs)
KPNET_RESIDUAL_PAIRS = 3


class KernelPredictor(nn.Module):
    """Per-frame kernels (B, L, C_in, C_out, K, T) and biases (B, L, C_out, T) of ``conv_layers`` LVC layers.

    ``input_conv`` (conv 5 + lrelu), a residual stack ``residual_conv`` of three (dropout, conv, lrelu, conv,
    lrelu) groups, then ``kernel_conv`` and ``bias_conv``.
    """

    def __init__(
        self,
        *,
        cond_channels: int,
        conv_in_channels: int,
        conv_out_channels: int,
        conv_layers: int,
        conv_kernel_size: int = 3,
        kpnet_hidden_channels: int = 64,
        kpnet_conv_size: int = 3,
        kpnet_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.conv_in_channels, self.conv_out_channels = conv_in_channels, conv_out_channels
        self.conv_kernel_size, self.conv_layers = conv_kernel_size, conv_layers
        hidden = kpnet_hidden_channels
        padding = (kpnet_conv_size - 1) // 2
        self.input_conv = nn.Sequential(
            nn.Conv1d(cond_channels, hidden, KPNET_INPUT_KERNEL, padding=(KPNET_INPUT_KERNEL - 1) // 2, bias=True),
            nn.LeakyReLU(KPNET_LRELU_SLOPE),
        )
        residual = []
        for _ in range(KPNET_RESIDUAL_PAIRS):
            residual += [nn.Dropout(kpnet_dropout)]
            for _ in range(2):
                residual += [
                    nn.Conv1d(hidden, hidden, kpnet_conv_size, padding=padding, bias=True),
                    nn.LeakyReLU(KPNET_LRELU_SLOPE),
                ]
        self.residual_conv = nn.Sequential(*residual)
        weights = conv_in_channels * conv_out_channels * conv_kernel_size * conv_layers
        self.kernel_conv = nn.Conv1d(hidden, weights, kpnet_conv_size, padding=padding, bias=True)
        self.bias_conv = nn.Conv1d(hidden, conv_out_channels * conv_layers, kpnet_conv_size, padding=padding, bias=True)

    def forward(self, c: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        batch, _, frames = c.shape
        c = self.input_conv(c)
        c = c + self.residual_conv(c)
        kernels = self.kernel_conv(c).contiguous().view(
            batch, self.conv_layers, self.conv_in_channels, self.conv_out_channels, self.conv_kernel_size, frames
        )
        bias = self.bias_conv(c).contiguous().view(batch, self.conv_layers, self.conv_out_channels, frames)
        return kernels, bias


def location_variable_convolution(
    x: torch.Tensor, kernel: torch.Tensor, bias: torch.Tensor, *, dilation: int, hop_size: int
) -> torch.Tensor:
    """Convolve each hop of ``x`` with the kernel of its frame.

    Shapes
    ------
    x: (B, C_in, T * hop_size)
    kernel: (B, C_in, C_out, K, T)
    bias: (B, C_out, T)
    returns: (B, C_out, T * hop_size)
    """
    batch, _, length = x.shape
    _, _, out_channels, kernel_size, frames = kernel.shape
    if length != frames * hop_size:
        raise ValueError(f"input length {length} is not frames x hop ({frames} x {hop_size})")
    padding = dilation * (kernel_size - 1) // 2
    x = F.pad(x, (padding, padding))
    x = x.unfold(2, hop_size + 2 * padding, hop_size)  # (B, C_in, T, hop + 2 pad)
    if hop_size < dilation:
        x = F.pad(x, (0, dilation))
    x = x.unfold(3, dilation, dilation)[:, :, :, :, :hop_size]  # (B, C_in, T, (hop + 2 pad) / d, d)
    x = x.transpose(3, 4).unfold(4, kernel_size, 1)  # (B, C_in, T, d, hop / d, K)
    out = torch.einsum("bildsk,biokl->bolsd", x, kernel)
    out = out + bias.unsqueeze(-1).unsqueeze(-1)
    return out.contiguous().view(batch, out_channels, -1)


class LVCBlock(nn.Module):
    """Upsample by ``upsample_ratio``, then ``conv_layers`` gated location-variable convolution layers.

    Each layer: ``y = lvc(lrelu(conv_i(lrelu(x))))`` with ``conv_i`` of dilation ``3 ** i``, then
    ``x <- x + sigmoid(y[:C]) * tanh(y[C:])``.

    Shapes
    ------
    x: (B, C, T_x), c: (B, C_mel, T) -> (B, C, T_x * upsample_ratio), where T_x * upsample_ratio = T * cond_hop_length
    """

    def __init__(
        self,
        *,
        in_channels: int,
        cond_channels: int,
        upsample_ratio: int,
        conv_layers: int = 4,
        conv_kernel_size: int = 3,
        cond_hop_length: int = 256,
        kpnet_hidden_channels: int = 64,
        kpnet_conv_size: int = 3,
        kpnet_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.cond_hop_length, self.conv_layers, self.conv_kernel_size = cond_hop_length, conv_layers, conv_kernel_size
        self.upsample = nn.ConvTranspose1d(
            in_channels,
            in_channels,
            kernel_size=upsample_ratio * 2,
            stride=upsample_ratio,
            padding=upsample_ratio // 2 + upsample_ratio % 2,
            output_padding=upsample_ratio % 2,
        )
        self.kernel_predictor = KernelPredictor(
            cond_channels=cond_channels,
            conv_in_channels=in_channels,
            conv_out_channels=2 * in_channels,
            conv_layers=conv_layers,
            conv_kernel_size=conv_kernel_size,
            kpnet_hidden_channels=kpnet_hidden_channels,
            kpnet_conv_size=kpnet_conv_size,
            kpnet_dropout=kpnet_dropout,
        )
        self.convs = nn.ModuleList(
            nn.Conv1d(
                in_channels,
                in_channels,
                kernel_size=conv_kernel_size,
                padding=3**i * (conv_kernel_size - 1) // 2,
                dilation=3**i,
            )
            for i in range(conv_layers)
        )

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        channels = x.shape[1]
        kernels, bias = self.kernel_predictor(c)
        x = self.upsample(F.leaky_relu(x, LVC_LRELU_SLOPE))
        for i, conv in enumerate(self.convs):
            y = F.leaky_relu(conv(F.leaky_relu(x, LVC_LRELU_SLOPE)), LVC_LRELU_SLOPE)
            y = location_variable_convolution(
                y, kernels[:, i], bias[:, i], dilation=1, hop_size=self.cond_hop_length
            )
            x = x + torch.sigmoid(y[:, :channels]) * torch.tanh(y[:, channels:])
        return x
