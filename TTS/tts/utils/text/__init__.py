"""Text processing: cleaners (``cleaners``), vocabularies (``characters``), phonemizers
(``phonemizers``) and the tokenizer that chains them (``tokenizer.TTSTokenizer``).

Data flow: raw text -> cleaner(text, lang) -> phonemizer (phoneme models) -> ids of
the vocabulary -> blanks interspersed (``add_blank``) -> BOS/EOS (``enable_eos_bos_chars``).
"""
