"""`parcours create-demo-agents`: the hyphenated name of `create_demo_agents` (see create_demo_agents.py)."""

from parcours.demo.management.commands.create_demo_agents import Command  # noqa: F401
