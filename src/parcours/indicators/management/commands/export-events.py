"""`parcours export-events`: the hyphenated name of `export_events`."""

from parcours.indicators.management.commands.export_events import Command  # noqa: F401
