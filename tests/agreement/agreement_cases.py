"""A small valid terms file and the mistakes the loader must report, with their exact lines.

Shared by the loader tests (message and line) and the schema tests (the schema rejects the
structural ones too).
"""

from __future__ import annotations

from dataclasses import dataclass

BASE = """\
id: demo
version: "1"
title: Demo terms
parties:
  - {id: UA, name: Ukraine}
  - {id: RU, name: Russian Federation}
guarantors:
  - {id: US, name: United States}
effective: 2026-01-01T00:00:00+02:00
timezone: Europe/Kyiv
reference:
  control_snapshot: 2025-12-31
  occupying_party: RU
parameters:
  fez_width_km:
    value: 10
    choices: [5, 10, 40]
provisions:
  - id: ceasefire
    kind: hostilities
    title: Ceasefire
    text: An immediate cease-fire comes into force as soon as the parties sign.
    source: {outlet: UPI, date: 2025-12-24}
  - id: fez-pullback
    kind: zone_exclusion
    title: Pull-back
    text: Heavy forces back by five, 10 or 40km.
    source: {outlet: UPI, date: 2025-12-24}
    zone: {id: fez-pullback, name: Pull-back belts}
    clip_oblasts: [Donetsk]
    sides:
      UA:
        - classes: [heavy_forces]
          distance_km: ${fez_width_km}
      RU:
        - classes: [heavy_forces]
          distance_km: ${fez_width_km}
  - id: alert
    kind: trigger
    title: Alert
    text: Guarantees for a co-ordinated response.
    source: {outlet: UPI, date: 2025-12-24}
    on: {provisions: [ceasefire], attributed_to: [RU]}
    actions: [{type: alert_guarantors}]
    recipients: [US]
"""


def edit_line(number: int, new: str | None) -> str:
    """BASE with line `number` (1-based) replaced by `new`, or removed if None."""
    lines = BASE.splitlines()
    assert 1 <= number <= len(lines)
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Mistake:
    name: str
    text: str
    line: int | None
    message: str
    structural: bool  # the JSON Schema alone rejects it (the others need the whole file)


MISTAKES = [
    Mistake(
        "a word for a distance",
        edit_line(37, "          distance_km: forty"),
        37,
        "provisions[1].sides.RU[0].distance_km: expected a positive number, got 'forty'",
        True,
    ),
    Mistake(
        "a negative distance",
        edit_line(34, "          distance_km: -5"),
        34,
        "provisions[1].sides.UA[0].distance_km: expected a positive number, got -5",
        True,
    ),
    Mistake(
        "a month 13",
        edit_line(9, "effective: 2026-13-01T00:00:00+02:00"),
        9,
        "effective: expected a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00, "
        "got '2026-13-01T00:00:00+02:00'",
        True,
    ),
    Mistake(
        "a time without its offset",
        edit_line(9, "effective: 2026-01-01T00:00:00"),
        9,
        "effective: expected a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00, "
        "got '2026-01-01T00:00:00'",
        True,
    ),
    Mistake(
        "30 February",
        edit_line(12, "  control_snapshot: 2025-02-30"),
        12,
        "reference.control_snapshot: expected a date like 2025-12-31, got '2025-02-30'",
        True,
    ),
    Mistake(
        "an unknown kind",
        edit_line(20, "    kind: ceasefire"),
        20,
        "provisions[0].kind: expected a provision kind (one of hostilities, territory_freeze, "
        "withdrawal, zone_exclusion, protected_site, cap, milestone, notification, trigger), "
        "got 'ceasefire'",
        True,
    ),
    Mistake(
        "no quoted text",
        edit_line(22, None),
        19,
        "provisions[0]: missing required field 'text'",
        True,
    ),
    Mistake(
        "an empty text",
        edit_line(22, '    text: ""'),
        22,
        "provisions[0].text: expected a non-empty text of at most 20,000 characters, got an empty text",
        True,
    ),
    Mistake(
        "a misspelt field",
        edit_line(34, "          distnce_km: ${fez_width_km}"),
        34,
        "provisions[1].sides.UA[0]: unknown field 'distnce_km'; did you mean 'distance_km'?",
        True,
    ),
    Mistake(
        "a lowercase party id as a key",
        edit_line(32, "      ua:"),
        32,
        "provisions[1].sides: the key 'ua' is not a party id of capital letters, like 'UA'",
        True,
    ),
    Mistake(
        "no time zone",
        edit_line(10, None),
        1,
        "(top level): missing required field 'timezone'",
        True,
    ),
    Mistake(
        "not YAML",
        edit_line(30, "    clip_oblasts: [Donetsk"),
        31,
        "not valid YAML: did not find expected ',' or ']' (while parsing a flow sequence from line 30)",
        False,
    ),
    Mistake(
        "a key given twice",
        edit_line(22, "    title: Ceasefire again"),
        22,
        "the key 'title' is given twice in this mapping",
        False,
    ),
    Mistake(
        "a duplicate provision id",
        edit_line(38, "  - id: ceasefire"),
        38,
        "provisions[2].id: duplicate provision id 'ceasefire' (already used by provisions[0])",
        False,
    ),
    Mistake(
        "an unknown parameter",
        edit_line(34, "          distance_km: ${fez_width}"),
        34,
        "provisions[1].sides.UA[0].distance_km: unknown parameter 'fez_width' (known: fez_width_km)",
        False,
    ),
    Mistake(
        "a trigger on an unknown provision",
        edit_line(43, "    on: {provisions: [ceasefir], attributed_to: [RU]}"),
        43,
        "provisions[2].on.provisions[0]: unknown provision 'ceasefir' "
        "(known: alert, ceasefire, fez-pullback)",
        False,
    ),
    Mistake(
        "an undeclared party",
        edit_line(43, "    on: {provisions: [ceasefire], attributed_to: [BY]}"),
        43,
        "provisions[2].on.attributed_to[0]: unknown party 'BY' (known: RU, UA)",
        False,
    ),
    Mistake(
        "a parameter value outside its choices",
        edit_line(16, "    value: 25"),
        15,
        "parameters.fez_width_km: 25 is not one of the choices (5, 10, 40)",
        False,
    ),
    Mistake(
        "an offset that is not the time zone's",
        edit_line(9, "effective: 2026-01-01T00:00:00+03:00"),
        9,
        "effective: the offset of 2026-01-01T00:00:00+03:00 is not that of Europe/Kyiv at that moment "
        "(+02:00); write 2025-12-31T23:00:00+02:00",
        False,
    ),
    Mistake(
        "a parameter whose value does not fit where it is used",
        edit_line(16, "    value: ten").replace("    choices: [5, 10, 40]\n", ""),
        33,  # one line fewer: the choices are gone
        "provisions[1].sides.UA[0].distance_km: expected a positive number, got 'ten' "
        "(the value of parameter fez_width_km)",
        False,
    ),
]
