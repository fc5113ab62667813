"""Registers every command group on the app (one module per area)."""

from truce.cli import assess_cmds, core_cmds, geo_cmds  # noqa: F401
