"""Control snapshots in the workspace, and territorial change between two of them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from truce.api.deps import context, requires
from truce.api.geodata import snapshot_days, territory_change
from truce.api.policy import Action, Actor, Resource
from truce.api.schemas.common import Day

router = APIRouter(prefix="/territory", tags=["territory"])


@router.get("/snapshots", summary="Days with a control snapshot")
def snapshots(
    request: Request,
    party: str = Query("RU", max_length=20),
    actor: Actor = Depends(requires(Action.read, Resource.territory)),
) -> dict:
    return {"party": party, "dates": [d.isoformat() for d in snapshot_days(context(request), party)]}


@router.get("/change", summary="km² gained and lost per party per oblast between two snapshots")
def change(
    request: Request,
    start: Day = Query(..., alias="from"),
    end: Day = Query(..., alias="to"),
    party: str = Query("RU", max_length=20),
    actor: Actor = Depends(requires(Action.read, Resource.territory)),
) -> dict:
    return territory_change(context(request), start, end, party)
