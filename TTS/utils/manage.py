"""Coqui's import path of the model zoo manager, kept for its users: the code lives in ``TTS.zoo``."""

from TTS.zoo.cache import MARKER_FILE, PARTIAL_PREFIX, default_cache_dir, folder_name, localize_config
from TTS.zoo.download import ModelDownloadError
from TTS.zoo.manager import MANAGER_ERRORS, ModelManager
from TTS.zoo.registry import ModelNotFoundError, RegistryError, package_data_file

__all__ = [
    "MANAGER_ERRORS",
    "MARKER_FILE",
    "PARTIAL_PREFIX",
    "ModelDownloadError",
    "ModelManager",
    "ModelNotFoundError",
    "RegistryError",
    "default_cache_dir",
    "folder_name",
    "localize_config",
    "package_data_file",
]
