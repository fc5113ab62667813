"""The verification stage's tables: source grading history, clusters, cases, evidence and custody.

They are declared on the store's one `metadata` (truce.store.schema) so Alembic's autogenerate
compares the whole schema at once; migration 0002_verify creates them. Import this module before
using `metadata` for anything that must see every table (truce.verify imports it).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, LargeBinary, String, Table, Text

from truce.store.schema import EPOCH_SECONDS, metadata

__all__ = [
    "case_evidence",
    "case_events",
    "case_incidents",
    "cases",
    "cluster_members",
    "clusters",
    "custody_events",
    "evidence",
    "source_grades",
]

# Every change to a source's grading (reliability, kind, party, protection): who, when and why.
# The current values stay on `sources`; this is their history.
source_grades = Table(
    "source_grades",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(200), ForeignKey("sources.id"), nullable=False),
    Column("reliability", String(1), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("party", String(20)),
    Column("protected", Integer, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", String(40), nullable=False),
)
Index("ix_source_grades_source", source_grades.c.source_id)

# One row per event: incidents from several reports that describe it, graded as a whole.
# Recomputed whole from the incidents (same incidents give the same ids and bodies).
clusters = Table(
    "clusters",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("type", String(40), nullable=False),
    Column("category", String(20), nullable=False),
    Column("date", Date, nullable=False),
    Column("t_start", EPOCH_SECONDS, nullable=False),
    Column("t_end", EPOCH_SECONDS, nullable=False),
    Column("lon", Float),
    Column("lat", Float),
    Column("precision", String(20), nullable=False),
    Column("country", String(2)),
    Column("admin1", String(300)),
    Column("actor", String(100)),
    Column("status", String(20), nullable=False),
    Column("reliability", String(1), nullable=False),
    Column("credibility", Integer, nullable=False),
    Column("report_count", Integer, nullable=False),
    Column("origin_count", Integer, nullable=False),
    Column("claim_verdict", String(20)),
    Column("computed_at", String(40), nullable=False),
    Column("body", Text, nullable=False),  # the whole cluster as JSON, with its reasons
)
Index("ix_clusters_t_start_id", clusters.c.t_start, clusters.c.id)  # the API pages by it

cluster_members = Table(
    "cluster_members",
    metadata,
    Column("cluster_id", String(40), ForeignKey("clusters.id"), primary_key=True),
    Column("incident_id", String(200), ForeignKey("incidents.id"), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("origin", String(300), nullable=False),
    Column("reason", Text, nullable=False),  # why it was joined, as JSON
)
# An incident belongs to exactly one cluster.
Index("ix_cluster_members_incident", cluster_members.c.incident_id, unique=True)

# A case per alleged violation (state machine in truce.verify.cases).
cases = Table(
    "cases",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("state", String(30), nullable=False),
    Column("outcome", String(30)),
    Column("category", String(20), nullable=False),
    Column("event_date", Date),
    Column("zone", String(200)),
    Column("sector", String(200)),
    Column("alleged_by", String(200), nullable=False),
    Column("alleged_against", String(20)),
    Column("assigned_to", String(200)),
    Column("facts", String(30)),
    Column("facts_rationale", Text),
    Column("attribution", String(30)),
    Column("attribution_rationale", Text),
    Column("protected", Integer, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False),  # seq of the last event: optimistic concurrency
    Column("opened_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("body", Text, nullable=False),  # the whole case as JSON
)
Index("ix_cases_state", cases.c.state)
Index("ix_cases_zone", cases.c.zone)

case_incidents = Table(
    "case_incidents",
    metadata,
    Column("case_id", String(40), ForeignKey("cases.id"), primary_key=True),
    Column("incident_id", String(200), ForeignKey("incidents.id"), primary_key=True),
)

# The audit trail: every transition with who, when and why. Append-only.
case_events = Table(
    "case_events",
    metadata,
    Column("case_id", String(40), ForeignKey("cases.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("action", String(30), nullable=False),
    Column("from_state", String(30)),
    Column("to_state", String(30), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
)

# Evidence files, stored once by content hash.
evidence = Table(
    "evidence",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("filename", String(500)),
    Column("added_at", String(40), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

case_evidence = Table(
    "case_evidence",
    metadata,
    Column("case_id", String(40), ForeignKey("cases.id"), primary_key=True),
    Column("sha256", String(64), ForeignKey("evidence.sha256"), primary_key=True),
    Column("attached_at", String(40), nullable=False),
)

# Chain of custody per evidence item: hash-chained entries (truce.verify.evidence).
custody_events = Table(
    "custody_events",
    metadata,
    Column("sha256", String(64), ForeignKey("evidence.sha256"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("case_id", String(40), ForeignKey("cases.id")),
    Column("action", String(30), nullable=False),
    Column("holder", String(200), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)
