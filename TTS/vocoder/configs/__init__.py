"""Vocoder configs, one module per model."""

from TTS.vocoder.configs.hifigan_config import HifiganConfig, HifiganGeneratorParams

__all__ = ["HifiganConfig", "HifiganGeneratorParams"]
