"""The agreements in the workspace: their terms as data, the zones they draw, and re-running the
assessment with the advance notices filed through the API."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from truce.api.deps import context, requires, writing
from truce.api.geodata import load_agreement_row, stored_agreements, zone_features
from truce.api.notices import notice_declarations
from truce.api.policy import Action, Actor, Resource
from truce.api.schemas.records import AssessIn, AssessOut
from truce.assess.run import assess_workspace
from truce.store.schema import agreements

router = APIRouter(prefix="/agreements", tags=["agreements"])


@router.get("", summary="Agreements loaded in the workspace")
def list_agreements(
    request: Request, actor: Actor = Depends(requires(Action.read, Resource.agreements))
) -> list:
    return stored_agreements(context(request))


@router.get("/{agreement_id}", summary="An agreement's terms, as data")
def get_agreement(
    request: Request, agreement_id: str, actor: Actor = Depends(requires(Action.read, Resource.agreements))
) -> dict:
    stored = load_agreement_row(context(request), agreement_id)
    return {
        "sha256": stored.sha256,
        "loaded_at": stored.loaded_at,
        "terms": stored.agreement.model_dump(mode="json"),
    }


@router.get(
    "/{agreement_id}/zones",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
    summary="The zones the agreement draws, as GeoJSON",
)
def get_zones(
    request: Request, agreement_id: str, actor: Actor = Depends(requires(Action.read, Resource.agreements))
) -> JSONResponse:
    ctx = context(request)
    features = zone_features(ctx, load_agreement_row(ctx, agreement_id))
    return JSONResponse(
        {"type": "FeatureCollection", "features": features}, media_type="application/geo+json"
    )


@router.post(
    "/{agreement_id}/assess",
    response_model=AssessOut,
    summary="Re-run the assessment, taking the advance notices into account",
)
def assess(
    request: Request,
    agreement_id: str,
    payload: AssessIn,
    actor: Actor = Depends(requires(Action.run, Resource.agreements)),
) -> AssessOut:
    ctx = context(request)
    stored = load_agreement_row(ctx, agreement_id)
    declarations = notice_declarations(ctx.workspace)
    store = not payload.what_if  # a what-if run is shown, never stored
    with writing(request, actor, Resource.agreements, "run") as (_conn, note):
        note.resource_id = agreement_id
        handle, temp = tempfile.mkstemp(suffix=".yaml")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(_source_text(ctx, agreement_id))
            result = assess_workspace(
                ctx.workspace,
                Path(temp),
                cut_off=payload.cut_off,
                overrides=payload.what_if,
                declarations=declarations,
                store=store,
            )
        finally:
            Path(temp).unlink(missing_ok=True)
    if store:
        # The run went into the log with its findings, in one transaction (store_run, as for
        # `truce assess`); this makes the served checkpoint the one just signed.
        ctx.log.publish()
    return AssessOut(
        agreement_id=stored.id,
        incidents=result.incidents,
        findings=result.finding_count,
        notices=len(declarations.notices),
        stored=store,
        by_status=dict(result.by_status),
    )


def _source_text(ctx, agreement_id: str) -> str:  # noqa: ANN001
    with ctx.workspace.engine.connect() as conn:
        return conn.execute(
            select(agreements.c.source_text).where(agreements.c.id == agreement_id)
        ).scalar_one()
