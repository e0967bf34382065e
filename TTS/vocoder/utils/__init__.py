"""Vocoder helpers: training figures."""
