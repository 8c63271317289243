"""Named seeds used across the tests, so a failure can be reproduced by hand."""

SMALL_SEED = 11
OTHER_SEED = 4242
PROPERTY_SEEDS = (1, 2, 3, 5, 8, 13, 21, 34)
