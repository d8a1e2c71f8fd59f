"""What the person is told of a decision on their application (`decision_taken`), through the one
notification path. Called by `aids.workflows` once the decision's transaction is committed."""

from __future__ import annotations


def decision_taken(application) -> None:
    """Queue the decision's message to the person (e-mail and/or SMS)."""
    return None
