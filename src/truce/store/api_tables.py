"""The HTTP API's tables: users and their tokens, the audit trail of writes, who owns a submitted
report, advance notices of movements, guarantor alerts with their acknowledgements, webhooks and
delivery attempts.

Declared on the store's one `metadata` (truce.store.schema), like the verify stage's tables, so
Alembic compares the whole schema at once; migration 0004_api creates them. Import this module
before using `metadata` for anything that must see every table (truce.api imports it).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    or_,
    select,
)

from truce.store.schema import incidents, metadata

__all__ = [
    "api_alert_acks",
    "api_alerts",
    "api_audit",
    "api_deliveries",
    "api_notices",
    "api_rate_buckets",
    "api_report_access",
    "api_tokens",
    "api_users",
    "api_webhooks",
    "protected_incidents",
]

# A person or system that calls the API. `party` is the party a liaison speaks for (UA, RU) or the
# guarantor a guarantor user represents (US, EUROPE); None for mission roles and the public.
api_users = Table(
    "api_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("party", String(20)),
    Column("created_at", String(40), nullable=False),
    Column("disabled_at", String(40)),
)

# Only the SHA-256 of a token is kept: the token itself is shown once, when it is made.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(20), primary_key=True),  # "tok-" + 12 hex: safe to show, log and revoke by
    Column("user_id", Integer, ForeignKey("api_users.id"), nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)
Index("ix_api_tokens_user", api_tokens.c.user_id)

# Every write through the API (and every refused write attempt): who, when, what, on which object,
# and the SHA-256 of the request body. Append-only.
api_audit = Table(
    "api_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("user_id", Integer),  # None: anonymous
    Column("actor", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("resource", String(40), nullable=False),
    Column("resource_id", String(200)),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("outcome", String(20), nullable=False),  # done, denied, rejected
    Column("status", Integer, nullable=False),
)
Index("ix_api_audit_at", api_audit.c.at)

# Who submitted a report through the API, and whether it is a protected allegation of a party.
# Reports ingested from files have no row here: they are unprotected and unowned.
api_report_access = Table(
    "api_report_access",
    metadata,
    Column("report_id", String(40), ForeignKey("reports.id"), primary_key=True),
    Column("owner_party", String(20)),
    Column("protected", Integer, nullable=False, server_default="0"),
    Column("submitted_by", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # structured, text
    Column("submitted_at", String(40), nullable=False),
)
Index("ix_api_report_access_owner", api_report_access.c.owner_party)


def protected_incidents(except_party: str | None = None) -> Select:
    """The ids of the incidents of protected allegations (other parties' only, with `except_party`).
    Asked from the few protected reports through the incidents' report index: joined the other way,
    SQLite scanned every incident (12.7 s of a 1M assessment, and of every party's API request)."""
    access = api_report_access.c
    reports = select(access.report_id).where(access.protected != 0)
    if except_party:
        reports = reports.where(or_(access.owner_party.is_(None), access.owner_party != except_party))
    return select(incidents.c.id).where(incidents.c.report_id.in_(reports))

# Advance notice of a movement inside a zone (deconfliction). given_at is set by the server.
api_notices = Table(
    "api_notices",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party", String(20), nullable=False),
    Column("zone", String(200), nullable=False),
    Column("classes", Text, nullable=False),  # JSON list of force classes
    Column("given_at", String(40), nullable=False),
    Column("starts", String(40), nullable=False),
    Column("ends", String(40), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("submitted_by", String(100), nullable=False),
    Column("withdrawn_at", String(40)),
)
Index("ix_api_notices_party", api_notices.c.party)

# A trigger fired by a case: one alert per (case, trigger provision), signed with the mission key.
api_alerts = Table(
    "api_alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("case_id", String(40), ForeignKey("cases.id"), nullable=False),
    Column("agreement_id", String(200), nullable=False),
    Column("provision_id", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("body", Text, nullable=False),  # RFC 8785 canonical JSON: the signed bytes
    Column("signature", String(200), nullable=False),  # base64 Ed25519 over `body`
    Column("signer", String(300), nullable=False),  # the verifier key (name+id+key)
)
Index("ix_api_alerts_case", api_alerts.c.case_id)

# One row per recipient guarantor: shown to its users until one of them acknowledges it.
api_alert_acks = Table(
    "api_alert_acks",
    metadata,
    Column("alert_id", String(40), ForeignKey("api_alerts.id"), primary_key=True),
    Column("recipient", String(20), primary_key=True),
    Column("acknowledged_at", String(40)),
    Column("acknowledged_by", String(100)),
    Column("note", Text),
)

# Where a guarantor wants alerts delivered; the body is signed with `secret` (HMAC-SHA256).
api_webhooks = Table(
    "api_webhooks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", Integer, ForeignKey("api_users.id"), nullable=False),
    Column("recipient", String(20), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

# Every delivery attempt of an alert to a webhook.
api_deliveries = Table(
    "api_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(40), ForeignKey("api_alerts.id"), nullable=False),
    Column("webhook_id", String(40), ForeignKey("api_webhooks.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("status", Integer),  # the HTTP status the receiver answered, None if unreachable
    Column("error", Text),
    Column("delivered", Integer, nullable=False, server_default="0"),
)
Index("ix_api_deliveries_alert", api_deliveries.c.alert_id)

# The rate limiter's token buckets when API workers share them (PostgreSQL): tokens left, when last
# spent (seconds since the epoch, the database's clock), and whether that last request was allowed.
api_rate_buckets = Table(
    "api_rate_buckets",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
    Column("allowed", Boolean, nullable=False),
)
