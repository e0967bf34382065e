"""Vocoder training data: wav file lists (``preprocess``) and the random-segment GAN dataset (``gan_dataset``)."""
