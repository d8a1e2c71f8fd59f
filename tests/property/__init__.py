"""Property-based tests (Hypothesis) of the parsers and checkers that read what users and
files type: NIR, SIRET, the importers' dates and spreadsheet headers."""

from hypothesis import settings

# Bounded, so that the suite's time stays predictable; no deadline (the first call may import).
BOUNDED = settings(max_examples=200, deadline=None)
