"""The `parcours` console command: Django's management utility with our settings.

Commands are documented with hyphens (`parcours load-territory`); their modules follow
Python's naming (`load_territory.py`), so a hyphenated name is mapped to its module."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    argv = list(sys.argv)
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        django.setup()
        commands = get_commands()
        underscored = argv[1].replace("-", "_")
        if argv[1] not in commands and underscored in commands:
            argv[1] = underscored
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
