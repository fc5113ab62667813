from __future__ import annotations

from datetime import date

import pytest

from truce.provisions import FORCE_CLASSES, ZoneExclusionProvision

BUFFER = """
- id: pullback
  kind: zone_exclusion
  title: Heavy weapons back from each side's own line
  text: for the Ukrainian troops, from the de facto line of contact
  source: {outlet: UN, date: 2015-02-12, locator: point 2}
  zone: {id: security-zone, name: Security zone}
  reference_line:
    per_party:
      UA: {snapshot: 2015-02-15, name: de facto line of contact}
      RU: {snapshot: 2014-09-19}
  clip_oblasts: [Donetsk, Luhansk]
  sides:
    UA:
      - classes: [artillery_ge_100mm]
        distance_km: ${width_km}
      - classes: [tornado_s, uragan, smerch, tochka]
        distance_km: 70
    RU:
      - classes: [artillery_ge_100mm]
        distance_km: 25.5
  applies_from: P16D
"""


def test_valid_buffer(load, load_resolved):
    provision = load(BUFFER)
    assert isinstance(provision, ZoneExclusionProvision)
    assert provision.mode == "buffer"
    assert provision.reference_line.per_party["RU"].snapshot == date(2014, 9, 19)
    assert provision.reference_line.snapshot is None  # the agreement's reference snapshot
    resolved = load_resolved(BUFFER)
    assert [rule.distance_km for rule in resolved.sides["UA"]] == [10, 70]
    assert resolved.sides["RU"][0].distance_km == 25.5


def test_valid_area(load):
    provision = load(
        """
        - id: no-entry
          kind: zone_exclusion
          title: No entry
          text: a zone that Russian forces would not advance into
          source: {outlet: UPI, date: 2025-12-24}
          zone: {id: fez, name: Free economic zone}
          mode: area
          area_of: UA
          clip_oblasts: [Donetsk]
          sides:
            RU: [{classes: [armed_forces]}]
        """
    )
    assert (provision.mode, provision.area_of, provision.sides["RU"][0].distance_km) == ("area", "UA", None)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "        distance_km: 25.5\n",
            "",
            19,
            "provisions[2].sides.RU[0]: a buffer rule needs 'distance_km' (or set mode: area)",
        ),
        (
            "distance_km: 70",
            "distance_km: 0",
            17,
            "provisions[2].sides.UA[1].distance_km: expected a positive number, got 0",
        ),
        (
            "[tornado_s, uragan, smerch, tochka]",
            "[tornado_s, grad]",
            16,
            f"provisions[2].sides.UA[1].classes[1]: expected one of {', '.join(FORCE_CLASSES)}, got 'grad'",
        ),
        (
            "RU: {snapshot: 2014-09-19}",
            "RU: {snapshot: 19.09.2014}",
            10,
            "provisions[2].reference_line.per_party.RU.snapshot: "
            "expected a date like 2025-12-31, got '19.09.2014'",
        ),
        (
            "    RU:\n      - classes",
            "    BY:\n      - classes",
            18,
            "provisions[2].sides.BY: unknown party 'BY' (known: RU, UA)",
        ),
        (
            "  zone: {id: security-zone, name: Security zone}\n",
            "",
            1,
            "provisions[2]: missing required field 'zone'",
        ),
        (
            "  clip_oblasts: [Donetsk, Luhansk]\n",
            "  mode: area\n  clip_oblasts: [Donetsk, Luhansk]\n",
            1,  # the rule is about the whole provision
            "provisions[2]: an area zone needs 'area_of' (a party) and 'clip_oblasts'",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    text = BUFFER.replace(old, new)
    assert text != BUFFER
    assert error(text) == (line, message)


def test_references():
    provision = ZoneExclusionProvision.model_validate(
        {
            "id": "z",
            "title": "t",
            "text": "t",
            "source": {"outlet": "o", "date": "2025-01-01"},
            "zone": {"id": "z", "name": "z"},
            "mode": "area",
            "area_of": "UA",
            "clip_oblasts": ["Donetsk"],
            "sides": {"RU": [{"classes": ["tanks"]}]},
        }
    )
    assert [(ref.sort, ref.value) for ref in provision.references()] == [
        ("party", "RU"),
        ("party", "UA"),
        ("region", "Donetsk"),
    ]
