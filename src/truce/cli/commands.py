"""Registers every command group on the app (one module per area)."""

from truce.cli import (
    assess_cmds,  # noqa: F401
    core_cmds,  # noqa: F401
)
