"""The model zoo: the registry of released models (``.models.json``), downloads, and the local model cache.

``registry`` reads and checks ``.models.json``; ``download`` fetches and unpacks files safely; ``cache`` is the
layout of a model folder; ``manager`` (``ModelManager``) turns a model name into a verified local folder.
"""

from TTS.zoo.download import ModelDownloadError
from TTS.zoo.manager import MANAGER_ERRORS, ModelManager
from TTS.zoo.registry import ModelNotFoundError, RegistryError

__all__ = ["MANAGER_ERRORS", "ModelDownloadError", "ModelManager", "ModelNotFoundError", "RegistryError"]
