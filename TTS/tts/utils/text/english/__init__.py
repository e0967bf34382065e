"""English text normalisation: numbers, currency, percent, clock times and abbreviations."""
