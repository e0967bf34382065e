"""Blocks of Tacotron2 (Shen et al., 2018), one module per box of the paper's figure."""
