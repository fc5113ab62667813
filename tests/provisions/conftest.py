from __future__ import annotations

import textwrap

import pytest

from truce.agreement import parse_agreement, resolve
from truce.errors import UserError

# An agreement for one provision under test: parties, a guarantor, a parameter, and two provisions
# (a ceasefire and a zone) for triggers and notifications to refer to. The provision under test
# follows, so its line N is line HEADER_LINES + N of the file.
HEADER = """\
id: provision-test
version: "1"
title: One provision under test
parties:
  - {id: UA, name: Ukraine}
  - {id: RU, name: Russian Federation}
guarantors:
  - {id: US, name: United States}
effective: 2026-01-01T00:00:00+02:00
timezone: Europe/Kyiv
reference: {control_snapshot: 2025-12-31, occupying_party: RU}
parameters:
  width_km: 10
  period: P30D
provisions:
  - id: ceasefire
    kind: hostilities
    title: Ceasefire
    text: An immediate cease-fire.
    source: {outlet: UPI, date: 2025-12-24}
  - id: fez
    kind: zone_exclusion
    title: Free economic zone
    text: Russian forces would not advance into it.
    source: {outlet: UPI, date: 2025-12-24}
    zone: {id: fez, name: Free economic zone}
    mode: area
    area_of: UA
    clip_oblasts: [Donetsk]
    sides:
      RU:
        - classes: [armed_forces]
"""
HEADER_LINES = HEADER.count("\n")


def terms_with(provision_yaml: str) -> str:
    block = textwrap.dedent(provision_yaml).strip("\n")
    return HEADER + "\n".join("  " + line if line else line for line in block.splitlines()) + "\n"


@pytest.fixture
def load():
    """Load the agreement holding this provision; return the provision (the last one)."""

    def run(provision_yaml: str):
        return parse_agreement(terms_with(provision_yaml)).provisions[-1]

    return run


@pytest.fixture
def error():
    """The (line within the provision block, message) loading this provision gives."""

    def run(provision_yaml: str) -> tuple[int | None, str]:
        with pytest.raises(UserError) as caught:
            parse_agreement(terms_with(provision_yaml))
        line = caught.value.line
        return (line - HEADER_LINES if line is not None else None), caught.value.message

    return run


@pytest.fixture
def load_resolved():
    """Like `load`, with parameters substituted (width_km = 10, period = P30D)."""

    def run(provision_yaml: str):
        return resolve(parse_agreement(terms_with(provision_yaml))).provisions[-1]

    return run
