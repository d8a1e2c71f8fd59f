"""`parcours generate-history`: the hyphenated name of `generate_history`."""

from parcours.indicators.management.commands.generate_history import Command  # noqa: F401
