"""Configs: the shared Coqpit sections (audio, dataset, training) and the loader of config files.

``load_config(path)`` reads a config.json (or YAML) into the config class its ``model`` field names; the classes
are registered by ``TTS.model_configs`` (see ``TTS.config.loader``).
"""

from TTS.config.errors import ConfigError
from TTS.config.loader import (
    MODEL_CONFIGS,
    config_class,
    config_from_dict,
    load_config,
    read_config_file,
    register_config,
    register_name_check,
)
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig, BaseTrainingConfig

__all__ = [
    "BaseAudioConfig",
    "BaseDatasetConfig",
    "BaseTrainingConfig",
    "ConfigError",
    "MODEL_CONFIGS",
    "config_class",
    "config_from_dict",
    "load_config",
    "read_config_file",
    "register_config",
    "register_name_check",
]
