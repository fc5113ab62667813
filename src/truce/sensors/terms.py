"""Which anomaly rules apply: those of the terms file's hostilities provision, or The Economist's."""

from __future__ import annotations

import os
from pathlib import Path

from truce.agreement import bundled_agreement_ids, bundled_agreement_path, load_agreement, resolve
from truce.provisions.hostilities import HostilitiesProvision, ThermalAnomalyTerms

__all__ = ["anomaly_terms"]


def anomaly_terms(terms: str | os.PathLike | None) -> ThermalAnomalyTerms:
    """The `thermal_anomalies` settings of the first hostilities provision that has them, from a
    terms file or a bundled agreement id; the defaults when `terms` is None or has none."""
    if terms is None:
        return ThermalAnomalyTerms()
    path = bundled_agreement_path(str(terms)) if str(terms) in bundled_agreement_ids() else Path(terms)
    agreement = resolve(load_agreement(path))
    for provision in agreement.provisions:
        if isinstance(provision, HostilitiesProvision) and provision.thermal_anomalies is not None:
            return provision.thermal_anomalies
    return ThermalAnomalyTerms()
