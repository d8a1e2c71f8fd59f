"""`parcours load-territory`: the hyphenated name of `load_territory` (see load_territory.py)."""

from parcours.territory.management.commands.load_territory import Command  # noqa: F401
