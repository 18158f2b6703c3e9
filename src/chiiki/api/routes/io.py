"""経済波及効果 (SPEC §5): ``POST /api/v1/io/ripple``. Aggregates: every logged-in user."""

from __future__ import annotations

from fastapi import APIRouter

from chiiki.api.schemas import ErrorOut
from chiiki.http.deps import ApiUser, Db, State
from chiiki.services.ripple import RippleIn, RippleOut, run_ripple

router = APIRouter(
    prefix="/io", tags=["波及効果"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


@router.post("/ripple", response_model=RippleOut)
def ripple_effect(principal: ApiUser, state: State, db: Db, body: RippleIn) -> RippleOut:
    """最終需要の増加から経済波及効果（直接・第1次間接・第2次間接・総合）を計算します。"""
    return run_ripple(state, db, principal, body)
