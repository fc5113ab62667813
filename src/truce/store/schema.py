"""The store's tables (SQLAlchemy Core). Portable types only, so the same schema runs on SQLite and on
PostgreSQL/PostGIS; geometries are GeoJSON text here and gain a PostGIS column in a later migration."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "EPOCH_SECONDS",
    "agreements",
    "all_metadata",
    "assessment_runs",
    "control_snapshots",
    "findings",
    "incident_versions",
    "incidents",
    "metadata",
    "report_pieces",
    "reports",
    "sources",
]

metadata = MetaData()

# Seconds since the epoch: 64-bit on PostgreSQL (a 32-bit INTEGER ends on 2038-01-19); SQLite's
# INTEGER is 64-bit already.
EPOCH_SECONDS = BigInteger().with_variant(Integer(), "sqlite")
BYTE_COUNT = BigInteger().with_variant(Integer(), "sqlite")  # a streamed report may be 2 GiB or more

sources = Table(
    "sources",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(50), nullable=False, server_default="unknown"),
    Column("party", String(20)),
    Column("reliability", String(1), nullable=False, server_default="F"),
    Column("protected", Integer, nullable=False, server_default="0"),
    Column("created_at", String(40), nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("source_id", String(200), ForeignKey("sources.id")),
    Column("format", String(20), nullable=False),
    Column("filename", String(500)),
    Column("received_at", String(40), nullable=False),
    Column("published_on", Date),
    Column("size", BYTE_COUNT, nullable=False),
    Column("content", LargeBinary, nullable=False),  # empty when the bytes are in report_pieces
)
Index("ix_reports_received_id", reports.c.received_at, reports.c.id)  # the API pages by it

# A streamed report's bytes, in order: a file of any size is stored without holding it in memory.
report_pieces = Table(
    "report_pieces",
    metadata,
    Column("report_id", String(40), ForeignKey("reports.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("report_id", String(40), ForeignKey("reports.id"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("date", Date, nullable=False),
    Column("date_precision", String(10), nullable=False),
    # The span the incident may fall in, as UTC epoch seconds: cheap to compare in bulk.
    Column("t_start", EPOCH_SECONDS, nullable=False),
    Column("t_end", EPOCH_SECONDS, nullable=False),
    Column("lon", Float),
    Column("lat", Float),
    Column("precision", String(20), nullable=False),
    Column("country", String(2)),
    Column("admin1", String(300)),
    Column("actor", String(100)),
    Column("status", String(20), nullable=False),
    Column("weapon_class", String(100)),
    Column("body", Text, nullable=False),  # the whole incident as JSON
)
# Time order, then id: the API pages by this key (keyset); time-range reads use its first column.
Index("ix_incidents_t_start_id", incidents.c.t_start, incidents.c.id)
# A day's incidents (the daily report), and one kind's (interference) without reading the others.
Index("ix_incidents_date", incidents.c.date)
Index("ix_incidents_type_date", incidents.c.type, incidents.c.date)
Index("ix_incidents_report", incidents.c.report_id)

# Earlier versions of a text report's incidents, kept when `truce reextract` replaces them.
incident_versions = Table(
    "incident_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(40), ForeignKey("reports.id"), nullable=False),
    Column("version", Integer, nullable=False),  # 1 = what the first extraction found
    Column("incidents", Text, nullable=False),  # that version's incidents, a JSON list of bodies
    Column("sha256", String(64), nullable=False),  # of the list's canonical JSON, which the log holds
    Column("extractor", String(80), nullable=False),  # the extractor that replaced it
    Column("superseded_at", String(40), nullable=False),
)
Index("ix_incident_versions_report", incident_versions.c.report_id, incident_versions.c.version, unique=True)

control_snapshots = Table(
    "control_snapshots",
    metadata,
    Column("date", Date, primary_key=True),
    Column("party", String(20), primary_key=True),
    Column("source", String(300), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("area_km2", Float, nullable=False),
    Column("geometry", Text, nullable=False),  # GeoJSON, lon/lat
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("version", String(50), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("source_text", Text, nullable=False),
    Column("loaded_at", String(40), nullable=False),
)

assessment_runs = Table(
    "assessment_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agreement_id", String(200), ForeignKey("agreements.id"), nullable=False),
    Column("agreement_sha256", String(64), nullable=False),
    Column("overrides", Text, nullable=False, server_default="{}"),
    Column("incident_count", Integer, nullable=False),
    Column("finding_count", Integer, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("cut_off", String(40)),  # ISO instant; null for runs stored before 0006
    Column("finding_digests", Text),  # JSON {finding id: digest of its body}, for run-to-run diffs
)

findings = Table(
    "findings",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("agreement_id", String(200), ForeignKey("agreements.id"), nullable=False),
    Column("provision_id", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("status", String(30), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("party", String(20)),
    Column("date", Date),
    Column("zone_id", String(200)),
    Column("rationale", Text, nullable=False),
    Column("lon", Float),
    Column("lat", Float),
    Column("body", Text, nullable=False),  # the whole finding as JSON
    # SHA-256 of the body's RFC 8785 canonical form, hex: computed once, when the finding is written
    # (None for findings written before migration 0011, until the next assessment).
    Column("digest", String(64)),
)
Index("ix_findings_agreement", findings.c.agreement_id, findings.c.provision_id)
Index("ix_findings_date_id", findings.c.date, findings.c.id)  # the API pages by it


def all_metadata() -> list[MetaData]:
    """Every table the migrations create: the core's, and those the stages declare beside their code."""
    import truce.sensors.tables  # noqa: F401
    import truce.store.api_tables  # noqa: F401  (registers its tables on `metadata`)
    import truce.store.verify_tables  # noqa: F401
    from truce.publish.log.tables import metadata as log_metadata

    return [metadata, log_metadata]
