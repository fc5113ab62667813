"""The verify stage: grade sources and information, cluster reports of one event, check territorial
claims against control snapshots, and follow each alleged violation as a case.

Pure functions over domain objects live in grading, clustering, claims, cases, evidence, quiet and
interference; truce.verify.store reads and writes the stage's tables; truce.verify.api runs each
CLI command in one transaction. See docs/verification.md.
"""

# The stage's tables join the store's metadata on import (truce.store.schema.all_metadata() imports
# them too, for the migrations).
import truce.store.verify_tables  # noqa: F401
from truce.verify.cases import Case, CaseState, Facts, IllegalTransition
from truce.verify.claims import BundledSnapshots, ClaimCheck, ClaimCheckParams, Verdict, check_claim
from truce.verify.clustering import Cluster, ClusterParams, cluster_incidents, compatible, explain
from truce.verify.grading import Credibility, Grade, Reliability, Source, SourceKind, grade_members
from truce.verify.interference import InterferenceKind, interference_summary
from truce.verify.quiet import QuietCount, Violation, quiet_counters

__all__ = [
    "BundledSnapshots",
    "Case",
    "CaseState",
    "ClaimCheck",
    "ClaimCheckParams",
    "Cluster",
    "ClusterParams",
    "Credibility",
    "Facts",
    "Grade",
    "IllegalTransition",
    "InterferenceKind",
    "QuietCount",
    "Reliability",
    "Source",
    "SourceKind",
    "Verdict",
    "Violation",
    "check_claim",
    "cluster_incidents",
    "compatible",
    "explain",
    "grade_members",
    "interference_summary",
    "quiet_counters",
]
