"""Guarantor alerts: when a case's decision fires a `trigger` provision, an alert is made, signed
with the mission key (Ed25519 over RFC 8785 canonical JSON), delivered to the guarantors' webhooks
and shown to them until they acknowledge it.

A trigger fires for a case when
- the case's outcome is the one the trigger names (normally verified_violation),
- its attribution is one of `attributed_to` (if the trigger lists any; until attribution is decided
  the trigger waits, and fires on the `attribute` act), and
- the case concerns a provision or kind the trigger names: a finding of that provision rests on one
  of the case's incidents, or the case's zone is that provision's id, or its category is that kind.

Webhooks: POST of the signed alert as JSON, with
    X-Truce-Timestamp: <unix seconds>
    X-Truce-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
retried with exponential backoff (1 s, 2 s, 4 s … by default) up to a bounded number of attempts;
every attempt is recorded. 4xx answers other than 408 and 429 are not retried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import Connection, func, insert, select

from truce import canonical
from truce.api.context import ApiContext
from truce.api.geodata import load_agreement_row
from truce.api.webhook_targets import UnsafeTarget, check_webhook_url
from truce.publish.log import Verifier
from truce.store.api_tables import api_alert_acks, api_alerts, api_deliveries, api_webhooks
from truce.store.faults import database_unavailable
from truce.store.locks import claim
from truce.store.records import now_utc
from truce.store.schema import agreements, findings
from truce.verify.cases import Case

__all__ = ["Dispatcher", "alert_envelope", "fire_triggers", "sign_webhook", "verify_alert"]

log = logging.getLogger("truce.api.alerts")
_FINDING_STATUSES = ("violation", "possible_violation")


def _provisions_of_case(conn: Connection, agreement: Any, case: Case) -> tuple[set[str], list[str]]:  # noqa: ANN401
    """The agreement's provisions this case concerns, and the findings that tie them to it."""
    named, tying = set(), []
    kinds = {p.id: p.kind for p in agreement.provisions}
    if case.zone and case.zone in kinds:
        named.add(case.zone)
    named.update(pid for pid, kind in kinds.items() if kind == case.category)
    wanted = set(case.incident_ids)
    if wanted:
        query = select(findings.c.id, findings.c.provision_id, findings.c.body).where(
            findings.c.agreement_id == agreement.id, findings.c.status.in_(_FINDING_STATUSES)
        )
        for fid, pid, body in conn.execute(query):
            if wanted & set(json.loads(body).get("incident_ids", [])):
                named.add(pid)
                tying.append(fid)
    return named, sorted(tying)


def _alert_id(agreement_id: str, provision_id: str, case_id: str) -> str:
    key = "\x1f".join((agreement_id, provision_id, case_id))
    return "alr-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def fire_triggers(conn: Connection, ctx: ApiContext, case: Case) -> list[str]:
    """Create the alerts the case's current state fires (each once); return their ids."""
    if case.outcome is None:
        return []
    made = []
    for (agreement_id,) in conn.execute(select(agreements.c.id).order_by(agreements.c.id)):
        agreement = load_agreement_row(ctx, agreement_id).agreement
        kinds = {p.id: p.kind for p in agreement.provisions}
        triggers = [p for p in agreement.provisions if p.kind == "trigger"]
        if not triggers:
            continue
        concerned, tying = _provisions_of_case(conn, agreement, case)
        for trigger in triggers:
            on = trigger.on
            if case.outcome.value != on.outcome:
                continue
            if on.attributed_to and case.attribution not in on.attributed_to:
                continue
            hit = sorted(p for p in concerned if p in on.provisions or kinds[p] in on.kinds)
            if not hit:
                continue
            alert_id = _alert_id(agreement.id, trigger.id, case.id)
            if conn.execute(select(api_alerts.c.id).where(api_alerts.c.id == alert_id)).first():
                continue
            _create(conn, ctx, alert_id, agreement, trigger, case, hit, tying)
            made.append(alert_id)
    return made


def _case_statement(case: Case) -> dict:
    """What an alert says about its case. A protected case's title and the monitors' reasons are the
    party's allegation and the mission's working: a guarantor (who may not read the case) gets the
    decision only: what, when, where, the outcome and whom it is attributed to."""
    hidden = case.protected
    return {
        "id": case.id,
        "protected": case.protected,
        "title": None if hidden else case.title,
        "category": case.category,
        "event_date": case.event_date.isoformat() if case.event_date else None,
        "zone": case.zone,
        "outcome": case.outcome.value if case.outcome else None,
        "facts": case.facts.value if case.facts else None,
        "facts_rationale": None if hidden else case.facts_rationale,
        "attribution": case.attribution,
        "attribution_rationale": None if hidden else case.attribution_rationale,
    }


def _create(
    conn: Connection,
    ctx: ApiContext,
    alert_id: str,
    agreement: Any,
    trigger: Any,  # noqa: ANN401
    case: Case,
    violated: list[str],
    tying: list[str],
) -> None:
    issued = now_utc()
    statement = {
        "format": "truce-alert/1",
        "id": alert_id,
        "issued_at": issued,
        "agreement": {"id": agreement.id, "version": agreement.version},
        "trigger": trigger.id,
        "actions": [a.model_dump(mode="json", exclude_none=True) for a in trigger.actions],
        "recipients": list(trigger.recipients),
        "violated": violated,
        "findings": tying,
        "case": _case_statement(case),
    }
    body = canonical.dumps(statement)
    signer = ctx.log.signer()
    conn.execute(
        insert(api_alerts).values(
            id=alert_id,
            case_id=case.id,
            agreement_id=agreement.id,
            provision_id=trigger.id,
            created_at=issued,
            body=body.decode(),
            signature=base64.b64encode(signer.sign(body)).decode(),
            signer=signer.vkey,
        )
    )
    conn.execute(insert(api_alert_acks), [{"alert_id": alert_id, "recipient": r} for r in trigger.recipients])


def alert_envelope(row: Any) -> dict:  # noqa: ANN401 — a row of api_alerts
    """What a webhook receives and GET /alerts/{id} shows: the statement, its bytes, the signature."""
    return {
        "id": row.id,
        "alert": json.loads(row.body),
        "body": row.body,
        "signature": row.signature,
        "signer": row.signer,
    }


def verify_alert(envelope: dict) -> bool:
    """Check an alert's signature with the verifier key it names (compare that key with the
    mission's published key yourself)."""
    try:
        verifier = Verifier.from_vkey(envelope["signer"])
        signature = base64.b64decode(envelope["signature"], validate=True)
    except (KeyError, ValueError):
        return False
    return verifier.verify(envelope["body"].encode(), signature)


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class Dispatcher:
    """Delivers alerts to webhooks on a few background threads, with bounded retries."""

    def __init__(self, ctx: ApiContext, workers: int = 4) -> None:
        self.ctx = ctx
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="truce-webhook")
        self._stop = threading.Event()
        self._client = httpx.Client(timeout=ctx.settings.webhook_timeout_seconds, follow_redirects=False)

    def submit(self, alert_ids: list[str]) -> list:
        futures = []
        with self.ctx.workspace.engine.connect() as conn:
            for alert_id in alert_ids:
                recipients = [
                    r[0]
                    for r in conn.execute(
                        select(api_alert_acks.c.recipient).where(api_alert_acks.c.alert_id == alert_id)
                    )
                ]
                hooks = conn.execute(
                    select(api_webhooks.c.id).where(
                        api_webhooks.c.recipient.in_(recipients), api_webhooks.c.revoked_at.is_(None)
                    )
                ).all()
                futures += [self._pool.submit(self._deliver, alert_id, h[0]) for h in hooks]
        return futures

    def resume(self) -> list:
        """Deliveries that a restart interrupted: alerts with a webhook that has neither succeeded
        nor used up its attempts."""
        limit = self.ctx.settings.webhook_attempts
        with self.ctx.workspace.engine.connect() as conn:
            pairs = conn.execute(
                select(api_alerts.c.id, api_webhooks.c.id)
                .select_from(
                    api_alerts.join(api_alert_acks, api_alert_acks.c.alert_id == api_alerts.c.id).join(
                        api_webhooks, api_webhooks.c.recipient == api_alert_acks.c.recipient
                    )
                )
                .where(api_webhooks.c.revoked_at.is_(None))
            ).all()
            todo = []
            for alert_id, hook_id in pairs:
                done = conn.execute(
                    select(func.count(), func.max(api_deliveries.c.delivered)).where(
                        api_deliveries.c.alert_id == alert_id, api_deliveries.c.webhook_id == hook_id
                    )
                ).one()
                if not done[1] and done[0] < limit:
                    todo.append((alert_id, hook_id))
        return [self._pool.submit(self._deliver, a, h) for a, h in todo]

    def resume_when_reachable(self, first_wait: float = 1.0, longest_wait: float = 30.0) -> None:
        """resume(), tried again in the background while the database is unavailable: a worker
        (re)started during a database restart must come up and answer 503, not fail to start."""
        try:
            self.resume()
        except Exception as error:
            if not database_unavailable(error):
                raise
            log.warning("pending webhook deliveries will resume when the database is back")
            self._pool.submit(self._resume_later, first_wait, longest_wait)

    def _resume_later(self, wait: float, longest_wait: float) -> None:
        while not self._stop.wait(wait):
            try:
                self.resume()
                return
            except Exception as error:
                if not database_unavailable(error):
                    raise
            wait = min(wait * 2, longest_wait)

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _deliver(self, alert_id: str, hook_id: str) -> bool:
        # Several API workers may each find this delivery pending (at start, in resume): one delivers.
        with claim(self.ctx.workspace.engine, f"truce.alert:{alert_id}:{hook_id}") as mine:
            return mine and self._deliver_claimed(alert_id, hook_id)

    def _deliver_claimed(self, alert_id: str, hook_id: str) -> bool:
        settings = self.ctx.settings
        with self.ctx.workspace.engine.connect() as conn:
            alert = conn.execute(select(api_alerts).where(api_alerts.c.id == alert_id)).first()
            hook = conn.execute(select(api_webhooks).where(api_webhooks.c.id == hook_id)).first()
            tried, delivered = conn.execute(
                select(func.count(), func.max(api_deliveries.c.delivered)).where(
                    api_deliveries.c.alert_id == alert_id, api_deliveries.c.webhook_id == hook_id
                )
            ).one()
        if delivered:  # another worker delivered it while this one was starting
            return True
        payload = json.dumps(alert_envelope(alert), ensure_ascii=False).encode()
        for attempt in range(tried + 1, settings.webhook_attempts + 1):
            if self._stop.is_set():
                return False
            status, error = self._post(hook, alert_id, payload)
            ok = status is not None and 200 <= status < 300
            self._record(alert_id, hook_id, attempt, status, error, ok)
            if ok:
                return True
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                return False  # the receiver refuses it: retrying will not change its mind
            if attempt < settings.webhook_attempts:
                self._stop.wait(settings.webhook_backoff_seconds * 2 ** (attempt - 1))
        return False

    def _post(self, hook: Any, alert_id: str, payload: bytes) -> tuple[int | None, str | None]:  # noqa: ANN401
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "truce-alerts/1",
            "X-Truce-Delivery": alert_id,
            "X-Truce-Timestamp": timestamp,
            "X-Truce-Signature": sign_webhook(hook.secret, timestamp, payload),
        }
        try:
            check_webhook_url(hook.url, self.ctx.settings.webhook_allow)  # again: names move
        except UnsafeTarget as error:
            return 403, f"refused target: {error}"[:500]  # as a 4xx: not retried
        try:
            response = self._client.post(hook.url, content=payload, headers=headers)
        except httpx.HTTPError as error:
            return None, type(error).__name__
        return response.status_code, None

    def _record(
        self, alert_id: str, hook_id: str, attempt: int, status: int | None, error: str | None, ok: bool
    ) -> None:
        with self.ctx.write_lock, self.ctx.workspace.engine.begin() as conn:
            conn.execute(
                insert(api_deliveries).values(
                    alert_id=alert_id,
                    webhook_id=hook_id,
                    attempt=attempt,
                    at=now_utc(),
                    status=status,
                    error=error,
                    delivered=int(ok),
                )
            )
        log.info("alert %s to webhook %s: attempt %d, status %s", alert_id, hook_id, attempt, status or error)
