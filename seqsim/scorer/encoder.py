"""Sequence encoder: residue codes -> one L2-normalised embedding per sequence.

Input columns -> dilated residual 1-D convolutions (receptive field grows
with each dilation) -> masked mean and max pooling -> linear -> unit vector.
The same weights embed both sequences of a pair (a Siamese network).

The input columns are a learned embedding of each residue, or (with
``profile_columns``) each position's profile built from the sequence's hits
in its own set (:mod:`seqsim.scorer.profiles`): the residues its homologs
put there. An encoder trained from scratch on residues does not carry to
folds it never saw; one over profile columns does, in part (SCOPe40 val
split, `benchmarks/bench_encoders.py`).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

# What the encoder reads at each position (a checkpoint without the key: residues).
ENCODER_INPUTS = ("profile", "residues")


class ResidualConv(nn.Module):
    """x + GELU(conv(x)), padded positions kept at zero."""

    def __init__(self, channels: int, kernel_size: int, dilation: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(
            channels, channels, kernel_size, dilation=dilation,
            padding=dilation * (kernel_size - 1) // 2,
        )  # fmt: skip
        # Per position over channels, so that padding never leaks into a sequence.
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.conv(x).transpose(1, 2)).transpose(1, 2)
        return x + F.gelu(y) * mask


class SequenceEncoder(nn.Module):
    """Embeds padded batches of residue codes.

    ``codes`` is a long tensor (batch, length) with ``pad_code`` after each
    sequence's end; with ``profile_columns``, ``profile`` is a float tensor
    (batch, length, profile_columns) of the same positions (zero at padding).
    The result is (batch, output_dim), each row of norm 1.
    """

    def __init__(
        self,
        n_codes: int,
        embed_dim: int = 32,
        channels: int = 96,
        kernel_size: int = 5,
        dilations: tuple[int, ...] = (1, 2, 4, 8),
        output_dim: int = 128,
        profile_columns: int = 0,
    ) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError("kernel_size must be odd (same-length convolutions)")
        self.pad_code = n_codes
        self.profile_columns = profile_columns
        if profile_columns:
            self.project = nn.Conv1d(profile_columns, channels, 1)
        else:
            self.embed = nn.Embedding(n_codes + 1, embed_dim, padding_idx=n_codes)
            self.project = nn.Conv1d(embed_dim, channels, 1)
        self.blocks = nn.ModuleList(ResidualConv(channels, kernel_size, d) for d in dilations)
        self.out = nn.Linear(2 * channels, output_dim)

    def forward(self, codes: torch.Tensor, profile: torch.Tensor | None = None) -> torch.Tensor:
        mask = (codes != self.pad_code).unsqueeze(1).to(torch.float32)  # (B, 1, L)
        if self.profile_columns:
            if profile is None:
                raise ValueError("this encoder reads profile columns: give the profile")
            columns = profile
        else:
            columns = self.embed(codes)
        x = self.project(columns.transpose(1, 2)) * mask
        for block in self.blocks:
            x = block(x, mask)
        lengths = mask.sum(-1).clamp(min=1.0)
        mean = x.sum(-1) / lengths
        maximum = x.masked_fill(mask == 0, float("-inf")).amax(-1)
        maximum = torch.where(torch.isfinite(maximum), maximum, torch.zeros_like(maximum))
        return F.normalize(self.out(torch.cat([mean, maximum], dim=-1)), dim=-1)
