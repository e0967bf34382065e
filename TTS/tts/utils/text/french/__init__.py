"""French text normalisation (abbreviations)."""
