"""Blocks of Glow-TTS: text encoder, duration predictor, flow decoder, alignment search and loss."""
