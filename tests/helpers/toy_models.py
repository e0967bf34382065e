"""Toy sizes of the Tacotron2 used by the unit tests: the real architecture at widths that run in milliseconds."""

TOY_TACOTRON2_WIDTHS = dict(
    encoder_in_features=16,
    decoder_in_features=16,
    encoder_kernel_size=3,
    prenet_dims=[8, 8],
    attention_rnn_dim=16,
    decoder_rnn_dim=16,
    attention_dim=8,
    attention_location_filters=4,
    attention_location_kernel_size=5,
    postnet_channels=8,
    postnet_kernel_size=3,
)
