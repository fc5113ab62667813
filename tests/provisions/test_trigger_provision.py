from __future__ import annotations

import pytest

from truce.provisions import TriggerProvision

VALID = """
- id: guarantee
  kind: trigger
  title: Guarantors respond
  text: a co-ordinated military response if Russia invaded Ukraine again.
  source: {outlet: UPI, date: 2025-12-24}
  on:
    provisions: [ceasefire]
    kinds: [zone_exclusion]
    attributed_to: [RU]
  actions:
    - type: alert_guarantors
    - type: emergency_meeting
      within_hours: 24
  recipients: [US]
"""


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, TriggerProvision)
    assert provision.on.outcome == "verified_violation"
    assert [(a.type, a.within_hours) for a in provision.actions] == [
        ("alert_guarantors", None),
        ("emergency_meeting", 24),
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "    provisions: [ceasefire]\n    kinds: [zone_exclusion]\n",
            "",
            6,
            "provisions[2].on: name at least one provision id in 'provisions' or kind in 'kinds'",
        ),
        (
            "provisions: [ceasefire]",
            "provisions: [truce]",
            7,
            "provisions[2].on.provisions[0]: unknown provision 'truce' (known: ceasefire, fez, guarantee)",
        ),
        (
            "type: alert_guarantors",
            "type: sanctions",
            11,
            "provisions[2].actions[0].type: expected one of "
            "alert_guarantors, emergency_meeting, coordinated_response, notify_parties, got 'sanctions'",
        ),
        (
            "recipients: [US]",
            "recipients: [UN]",
            14,
            "provisions[2].recipients[0]: unknown actor 'UN' (known: RU, UA, US)",
        ),
        (
            "    attributed_to: [RU]\n",
            "    attributed_to: [RU]\n    outcome: proven\n",
            10,
            "provisions[2].on.outcome: expected one of allegation, verified_violation, no_violation, "
            "insufficient_evidence, fabricated, got 'proven'",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
