"""Spanish text normalisation: clock times, negative numbers, ordinals, currency and percent."""
