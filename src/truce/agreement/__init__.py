"""Agreement terms as data: the YAML terms format, its models and JSON Schema, the loader with
line-accurate errors, parameters and what-ifs, drafts' diffs, and the bundled agreements.

    agreement = load_agreement(bundled_agreement_path("ukraine-framework-2025"))
    wider = resolve(agreement, {"fez_width_km": 40})
    for change in diff(agreement, wider): ...
"""

from __future__ import annotations

from truce.agreement.bundled import bundled_agreement_ids, bundled_agreement_path
from truce.agreement.diff import Change, changes_json, changes_table, diff
from truce.agreement.loader import load_agreement, parse_agreement
from truce.agreement.model import Agreement, Guarantor, Parameter, Party, Reference, TermsProblem
from truce.agreement.resolve import resolve
from truce.agreement.schema import agreement_json_schema

__all__ = [
    "Agreement",
    "Change",
    "Guarantor",
    "Parameter",
    "Party",
    "Reference",
    "TermsProblem",
    "agreement_json_schema",
    "bundled_agreement_ids",
    "bundled_agreement_path",
    "changes_json",
    "changes_table",
    "diff",
    "load_agreement",
    "parse_agreement",
    "resolve",
]
