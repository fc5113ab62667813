"""The Agreement: parties, effective time, reference geography, named parameters and provisions.

Structure is checked field by field (pydantic, and the JSON Schema generated from it); what needs the
whole file — duplicate ids, ids that point nowhere, an offset that contradicts the time zone — is
checked here, after, and reported with the path of the offending value.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from truce.errors import UserError
from truce.provisions import (
    PROVISION_KINDS,
    ProtectedSiteProvision,
    Provision,
    ProvisionBase,
    ZoneExclusionProvision,
)
from truce.provisions._base import (
    MAX_NAME,
    PARAM_REF_PATTERN,
    ActorId,
    Day,
    Name,
    PartyId,
    Slug,
    Terms,
    Text,
    Timestamp,
    _Bad,
    _pattern,
    _text,
    _value_type,
    is_param_ref,
    show_value,
)

__all__ = [
    "Agreement",
    "Guarantor",
    "Parameter",
    "ParameterValue",
    "Party",
    "Reference",
    "TermsProblem",
    "path_text",
]

Loc = tuple[str | int, ...]
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def path_text(loc: Loc) -> str:
    """('provisions', 2, 'sides', 'UA', 0) -> 'provisions[2].sides.UA[0]'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part) and len(part) <= 64:
            text += f".{part}" if text else part
        else:
            text += f"[{show_value(part)}]"
    return text or "(top level)"


class TermsProblem(UserError):
    """A terms file that is well-formed field by field but wrong as a whole.

    `loc` is the path of the offending value, so the loader can give its line.
    """

    def __init__(self, loc: Loc, detail: str) -> None:
        self.loc = loc
        self.detail = detail
        self.all: list[TermsProblem] = [self]
        super().__init__(None, None, f"{path_text(loc)}: {detail}")


# ---------------------------------------------------------------------------------------------------
# Parameters: named draft values such as fez_width_km, referred to as ${fez_width_km}
# ---------------------------------------------------------------------------------------------------

_PARAM_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
ParameterName = _value_type(
    str,
    _pattern(_PARAM_NAME),
    {"type": "string", "pattern": _PARAM_NAME},
    "a parameter name of letters, digits and underscores, like fez_width_km",
)


def _scalar(value: Any) -> Any:
    if isinstance(value, bool | str):
        if isinstance(value, str):
            return _text_value(value)
        return value
    if isinstance(value, int | float) and value == value and value not in (float("inf"), float("-inf")):
        return value
    raise _Bad()


def _text_value(value: str) -> str:
    if is_param_ref(value):
        raise _Bad("a parameter cannot refer to another")
    return _one_line(value)


_one_line = _text(MAX_NAME, multiline=False)


ParameterValue = _value_type(
    int | float | str | bool,
    _scalar,
    {
        "anyOf": [
            {"type": "number", "x-expected": "a number"},
            {"type": "boolean", "x-expected": "true or false"},
            {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "not": {"pattern": PARAM_REF_PATTERN},
                "x-expected": "a one-line text",
            },
        ]
    },
    "a number, true/false or a one-line text",
)


class Parameter(Terms):
    """A named draft value; `choices` are the options on the table (a value must be one of them)."""

    value: ParameterValue
    choices: list[ParameterValue] | None = Field(default=None, min_length=1)
    unit: Name | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _value_is_a_choice(self) -> Parameter:
        if self.choices is not None and self.value not in self.choices:
            options = ", ".join(show_value(choice) for choice in self.choices)
            raise ValueError(f"{show_value(self.value)} is not one of the choices ({options})")
        return self


def _wrap_scalar(value: Any) -> Any:
    return value if isinstance(value, dict) else {"value": value}


# In YAML a parameter may be written as `fez_width_km: 10` or as a mapping with value and choices.
ParameterEntry = Annotated[
    Parameter, BeforeValidator(_wrap_scalar, json_schema_input_type=Parameter | ParameterValue)
]


# ---------------------------------------------------------------------------------------------------
# The agreement
# ---------------------------------------------------------------------------------------------------


class Party(Terms):
    id: PartyId
    name: Name


class Guarantor(Terms):
    id: ActorId
    name: Name


class Reference(Terms):
    """The reference geography: the control snapshot whose contact line the zones are drawn from."""

    control_snapshot: Day
    occupying_party: PartyId  # whose controlled area the snapshot's polygons are
    # Zones leave out pieces smaller than this (specks, enclaves, slivers of map drawing), listing
    # them; 0 keeps every piece. 2 km² (a square 1.4 km on a side) is of the order of the 2 km band
    # the contact line ignores along border and coast for drawing differences, and below any area a
    # force could be said to hold; docs/geography.md gives the figures.
    min_part_km2: float = Field(default=2.0, ge=0)
    notes: Text | None = None


def _check_zone(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^[A-Za-z]+(?:[/_+-][A-Za-z0-9]+)*$", value):
        raise _Bad()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder: IsADirectoryError
        raise _Bad("unknown time zone") from None
    return value


TimeZoneName = _value_type(
    str,
    _check_zone,
    {"type": "string", "pattern": r"^[A-Za-z]+(?:[/_+-][A-Za-z0-9]+)*$"},
    "an IANA time zone name, like Europe/Kyiv",
)


Language = Literal["uk", "ru", "en"]


class Translation(Terms):
    """The agreement's names in another language, for reports written in it: the title, and the
    names of parties, provisions (by provision id), zones (by zone id) and protected sites (by
    provision id). What is not given is shown as written."""

    title: Name | None = None
    version: Name | None = None
    parties: dict[PartyId, Name] = Field(default_factory=dict)
    provisions: dict[Slug, Name] = Field(default_factory=dict)
    zones: dict[Slug, Name] = Field(default_factory=dict)
    sites: dict[Slug, Name] = Field(default_factory=dict)


class Agreement(Terms):
    """A versioned terms file. Drafts differ in parameters; `resolve` substitutes them."""

    model_config = ConfigDict(title="Agreement")

    id: Slug
    version: Name
    title: Name
    parties: list[Party] = Field(min_length=1)
    guarantors: list[Guarantor] = Field(default_factory=list)
    effective: Timestamp
    timezone: TimeZoneName
    reference: Reference
    parameters: dict[ParameterName, ParameterEntry] = Field(default_factory=dict)
    provisions: list[Provision] = Field(min_length=1)
    notes: Text | None = None
    translations: dict[Language, Translation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _whole_file_is_consistent(self, info: ValidationInfo) -> Agreement:
        regions = (info.context or {}).get("regions")
        problems = list(self.problems(regions=regions))
        if problems:
            first = problems[0]
            first.all = problems  # the loader reports the one that comes first in the file
            raise first
        return self

    # -- lookups -------------------------------------------------------------------------------------

    def provision(self, provision_id: str) -> ProvisionBase:
        """The provision with this id (KeyError if none)."""
        for provision in self.provisions:
            if provision.id == provision_id:
                return provision
        raise KeyError(provision_id)

    def provisions_of(self, kind: str) -> list[ProvisionBase]:
        """The provisions of one kind, in file order."""
        if kind not in PROVISION_KINDS:
            raise KeyError(kind)
        return [provision for provision in self.provisions if provision.kind == kind]

    def party_ids(self) -> list[str]:
        return [party.id for party in self.parties]

    def is_resolved(self) -> bool:
        """True when no ${parameter} reference is left (after `resolve`)."""
        return not any(True for _ in _param_refs(self.model_dump(mode="json", include={"provisions"})))

    # -- whole-file checks ---------------------------------------------------------------------------

    def problems(self, *, regions: Collection[str] | None = None) -> Iterator[TermsProblem]:
        """Every whole-file problem; region names are checked only if `regions` is given."""
        yield from self._duplicate_ids()
        yield from self._time_zone_mismatch()
        parties = set(self.party_ids())
        actors = parties | {guarantor.id for guarantor in self.guarantors}
        if self.reference.occupying_party not in parties:
            yield _unknown(("reference", "occupying_party"), "party", self.reference.occupying_party, parties)
        provision_ids = {provision.id for provision in self.provisions}
        zone_ids: set[str] = set()  # a zone is named by its provision's id, or by its zone id
        for provision in self.provisions:
            if isinstance(provision, ZoneExclusionProvision):
                zone_ids |= {provision.id, provision.zone.id}
            elif isinstance(provision, ProtectedSiteProvision):
                zone_ids.add(provision.id)
        known = {"party": parties, "actor": actors, "provision": provision_ids, "zone": zone_ids}
        for index, provision in enumerate(self.provisions):
            for ref in provision.references():
                if ref.sort == "region":
                    if regions is not None and ref.value not in regions:
                        yield _unknown(("provisions", index, *ref.loc), "region", ref.value, set(regions))
                elif ref.value not in known[ref.sort]:
                    yield _unknown(("provisions", index, *ref.loc), ref.sort, ref.value, known[ref.sort])
        yield from self._translation_keys(parties, provision_ids, zone_ids)
        declared = set(self.parameters)
        data = self.model_dump(mode="json", include={"provisions"})
        for loc, name in _param_refs(data):
            if name not in declared:
                yield _unknown(loc, "parameter", name, declared)

    def _translation_keys(
        self, parties: set[str], provision_ids: set[str], zone_ids: set[str]
    ) -> Iterator[TermsProblem]:
        """A translated name must name something the file has (a typo would silently not apply)."""
        sites = {p.id for p in self.provisions if isinstance(p, ProtectedSiteProvision)}
        known = {"parties": parties, "provisions": provision_ids, "zones": zone_ids, "sites": sites}
        sorts = {"parties": "party", "provisions": "provision", "zones": "zone", "sites": "site"}
        for lang, translation in self.translations.items():
            for section, ids in known.items():
                for key in getattr(translation, section):
                    if key not in ids:
                        yield _unknown(("translations", lang, section, key), sorts[section], key, ids)

    def _duplicate_ids(self) -> Iterator[TermsProblem]:
        for section, items in (("parties", self.parties), ("guarantors", self.guarantors)):
            seen: dict[str, int] = {}
            for index, item in enumerate(items):
                if item.id in seen:
                    yield TermsProblem(
                        (section, index, "id"),
                        f"duplicate id {show_value(item.id)} (already used by {section}[{seen[item.id]}])",
                    )
                seen.setdefault(item.id, index)
        party_ids = set(self.party_ids())
        for index, guarantor in enumerate(self.guarantors):
            if guarantor.id in party_ids:
                yield TermsProblem(
                    ("guarantors", index, "id"), f"{show_value(guarantor.id)} is already a party id"
                )
        first: dict[str, int] = {}
        for index, provision in enumerate(self.provisions):
            if provision.id in first:
                yield TermsProblem(
                    ("provisions", index, "id"),
                    f"duplicate provision id {show_value(provision.id)} "
                    f"(already used by provisions[{first[provision.id]}])",
                )
            first.setdefault(provision.id, index)

    def _time_zone_mismatch(self) -> Iterator[TermsProblem]:
        local = self.effective.astimezone(zoneinfo.ZoneInfo(self.timezone))
        if local.utcoffset() != self.effective.utcoffset():
            yield TermsProblem(
                ("effective",),
                f"the offset of {self.effective.isoformat()} is not that of {self.timezone} at that "
                f"moment ({_offset(local)}); write {local.isoformat()}",
            )


def _offset(moment: datetime) -> str:
    return moment.isoformat()[-6:]


def _unknown(loc: Loc, sort: str, value: str, known: set[str]) -> TermsProblem:
    listing = ", ".join(sorted(known)) if known else "none declared"
    if len(listing) > 300:
        listing = listing[:300] + "…"
    return TermsProblem(loc, f"unknown {sort} {show_value(value)} (known: {listing})")


def _param_refs(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every ${name} reference in a dumped tree, with its path."""
    if is_param_ref(data):
        yield loc, data[2:-1]
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _param_refs(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _param_refs(value, (*loc, index))
