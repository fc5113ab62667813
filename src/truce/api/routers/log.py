"""The tamper-evident log, in the layout of Sigstore's Rekor: the signed tree head, consistency
proofs between sizes, entries with their inclusion proofs. Anyone may read it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from truce.api.deps import context, requires, writing
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import ProblemError, bad_request, not_found
from truce.api.schemas.records import ConsistencyProofOut, LogEntryOut, LogInfo
from truce.publish.log import LogError

router = APIRouter(prefix="/log", tags=["log"])


@router.get("", response_model=LogInfo, summary="The latest signed tree head")
def info(request: Request, actor: Actor = Depends(requires(Action.read, Resource.log))) -> dict:
    return context(request).log.info()


@router.get(
    "/proof",
    response_model=ConsistencyProofOut,
    summary="Consistency proof between two tree sizes (lastSize: the latest signed one)",
)
def consistency(
    request: Request,
    first_size: int = Query(..., alias="firstSize", ge=1, le=2**53),
    last_size: int | None = Query(None, alias="lastSize", ge=1, le=2**53),
    actor: Actor = Depends(requires(Action.read, Resource.log)),
) -> dict:
    ctx = context(request)
    if last_size is None:
        last_size = ctx.log.info()["treeSize"]
    if first_size > last_size:
        raise bad_request("firstSize must not be larger than lastSize")
    try:
        return ctx.log.consistency(first_size, last_size)
    except LogError as error:
        raise bad_request(error.message) from None


@router.get(
    "/entries/{entry_id}",
    response_model=LogEntryOut,
    summary="An entry, with its inclusion proof in the latest signed tree",
)
def entry(
    request: Request, entry_id: str, actor: Actor = Depends(requires(Action.read, Resource.log))
) -> dict:
    ctx = context(request)
    try:
        return ctx.log.entry(entry_id)
    except LogError as error:
        if "no log entry" in error.message:
            raise not_found("log entry") from None
        raise ProblemError(503, "the log cannot prove this entry now", kind="log-unavailable") from None


@router.get(
    "/publicKey", response_class=PlainTextResponse, summary="The mission's verifier key (signed note)"
)
def public_key(request: Request, actor: Actor = Depends(requires(Action.read, Resource.log))) -> str:
    return context(request).log.public_key() + "\n"


@router.post("/checkpoint", response_model=LogInfo, summary="Sign a checkpoint of the whole log now")
def checkpoint(request: Request, actor: Actor = Depends(requires(Action.run, Resource.log))) -> dict:
    ctx = context(request)
    with writing(request, actor, Resource.log, "checkpoint") as (_conn, note):
        ctx.log.checkpoint(force=True)
        result = ctx.log.info()
        note.resource_id = str(result["treeSize"])
    return result
