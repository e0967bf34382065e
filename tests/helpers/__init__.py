"""Helpers shared by the test modules: toy models, toy corpora, stand-in vocoders.

Test modules import from here (``from helpers.corpus import make_ljspeech_corpus``), never from one
another; pytest fixtures live in ``tests/conftest.py``. ``tests/`` is on ``sys.path`` through
``pythonpath`` in ``pyproject.toml``.
"""
