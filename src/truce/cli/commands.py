"""Registers every command group on the app (one module per area)."""

from truce.cli import (  # noqa: F401
    agreement_cmds,
    api_cmds,
    assess_cmds,
    core_cmds,
    geo_cmds,
    intake_cmds,
    log_cmds,
    report_cmds,
    sensors_cmds,
    verify_cmds,
)
