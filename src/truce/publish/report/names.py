"""The agreement's names (title, parties, provisions, zones) in each report language: from the terms
file's `translations`, else as written. Zone names are built from the translated base name, the
party whose side the zone is on, and its distance, so "(RU-10km)" reads as words in every language."""

from __future__ import annotations

from typing import Any

from truce.publish.report.i18n import LANGUAGES, labels_for

__all__ = ["agreement_names", "zone_names"]


def _translated(agreement: Any, lang: str, section: str, key: str, written: str) -> str:  # noqa: ANN401
    translation = agreement.translations.get(lang)
    if translation is None:
        return written
    if section in ("title", "version"):
        return getattr(translation, section) or written
    return getattr(translation, section).get(key) or written


def agreement_names(agreement: Any) -> dict:  # noqa: ANN401 — a resolved Agreement
    """{"title": {lang: ...}, "version": {lang: ...}, "parties": {id: {lang: ...}},
    "provisions": {id: {lang: ...}}}."""
    return {
        "title": {lang: _translated(agreement, lang, "title", "", agreement.title) for lang in LANGUAGES},
        "version": {
            lang: _translated(agreement, lang, "version", "", agreement.version) for lang in LANGUAGES
        },
        "parties": {
            p.id: {lang: _translated(agreement, lang, "parties", p.id, p.name) for lang in LANGUAGES}
            for p in agreement.parties
        },
        "provisions": {
            p.id: {lang: _translated(agreement, lang, "provisions", p.id, p.title) for lang in LANGUAGES}
            for p in agreement.provisions
        },
    }


def zone_names(agreement: Any, zone: dict) -> dict[str, str]:  # noqa: ANN401
    """A ruled zone's name in every language: "Free economic zone pull-back belts (Ukraine's side,
    10 km)"; a protected site's: "Zaporizhzhia Nuclear Power Plant (30 km radius)"."""
    provision = agreement.provision(zone["provision_id"])
    site = getattr(provision, "site", None)
    names = {}
    for lang in LANGUAGES:
        labels = labels_for(lang)
        if site is not None:
            base = _translated(agreement, lang, "sites", provision.id, site.name)
            names[lang] = labels.text("zone_site", base=base, km=labels.number(provision.radius_km, 0))
            continue
        base = _translated(agreement, lang, "zones", zone["base_id"], provision.zone.name)
        party = next((p for p in agreement.parties if p.id == zone["party"]), None)
        side = _translated(agreement, lang, "parties", party.id, party.name) if party else zone["party"]
        if zone["distance_km"]:
            km = labels.number(zone["distance_km"], 0 if float(zone["distance_km"]).is_integer() else 1)
            names[lang] = labels.text("zone_side_distance", base=base, party=side, km=km)
        else:
            names[lang] = labels.text("zone_side", base=base, party=side)
    return names
