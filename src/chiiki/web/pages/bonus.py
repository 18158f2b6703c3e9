"""加点の確認 (issue #12 §2; SPEC §6.4): a reviewer looks up an applicant by name, 法人番号 or company
id, or uploads a list of applicants (CSV / Excel), and reads for each whether it is a 重点支援企業 (of
which plan), its connector / hub percentiles, score and the points of the 加点 rule, with the rule
shown. The table downloads as Excel or CSV (:mod:`chiiki.data.writers`). Figures follow the data's
scope (:mod:`chiiki.services.bonus`).

Registered before the plan pages: ``/plans/bonus`` must not be read as a plan id.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from chiiki.data.writers import write_csv, write_xlsx
from chiiki.http.deps import Csrf, Db, PageUser, State
from chiiki.plans.rules import get_plan_rules
from chiiki.services import bonus
from chiiki.services.datasets import analytics_for
from chiiki.store.errors import InvalidInputError
from chiiki.web.pages.common import render

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(
    request: Request,
    principal,
    state,
    db,
    queries: list[str],
    *,
    text: str = "",
    status_code: int = 200,
    error: str | None = None,
):  # noqa: ANN001, ANN202
    rules = get_plan_rules()
    result = None
    if queries and error is None:
        try:
            result = bonus.lookup(analytics_for(state, db, principal), db, principal, queries, rules=rules)
        except InvalidInputError as exc:
            error, status_code = str(exc), 422
    return render(
        request, "bonus.html", principal, nav="plans", result=result, rule=bonus.rule_text(rules),
        queries_text="\n".join(queries) if queries else text, error=error, status_code=status_code,
        columns=bonus.RESULT_COLUMNS,
    )  # fmt: skip


@router.get("/plans/bonus")
def bonus_page(
    request: Request,
    principal: PageUser,
    state: State,
    db: Db,
    q: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    bonus.require_bonus_reader(principal)
    return _page(request, principal, state, db, [q.strip()] if q.strip() else [])


async def _queries(request: Request) -> tuple[list[str], str]:
    form = await request.form()
    upload = form.get("file")
    text = str(form.get("applicants") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(bonus.MAX_UPLOAD_BYTES + 1)
        return bonus.read_applicants(data, upload.filename), text
    queries = bonus.split_lines(text)
    if not queries:
        raise InvalidInputError(
            "申請者の一覧（CSV・Excel）を選ぶか、法人番号または企業名を1行に1件ずつ入力してください。"
        )
    return queries, text


@router.post("/plans/bonus", dependencies=[Csrf])
async def bonus_batch(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    bonus.require_bonus_reader(principal)
    try:
        queries, text = await _queries(request)
    except InvalidInputError as exc:
        return _page(request, principal, state, db, [], error=str(exc), status_code=422)
    return _page(request, principal, state, db, queries, text=text)


@router.post("/plans/bonus/download", dependencies=[Csrf])
async def bonus_download(request: Request, principal: PageUser, state: State, db: Db) -> Response:
    """The table of the listed applicants as Excel or CSV (the list travels back with the form)."""
    bonus.require_bonus_reader(principal)
    form = await request.form()
    queries = bonus.split_lines(str(form.get("applicants") or ""))
    if not queries:
        raise InvalidInputError("ダウンロードする申請者の一覧がありません。もう一度確認してください。")
    fmt = "csv" if form.get("format") == "csv" else "xlsx"
    result = bonus.lookup(analytics_for(state, db, principal), db, principal, queries, rules=get_plan_rules())
    frame = bonus.download_frame(result)
    name = f"katen_{result.year}.{fmt}"
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx({"加点": frame}, buf)
        content, media = buf.getvalue(), XLSX
    else:
        with tempfile.TemporaryDirectory() as tmp:
            content = write_csv(frame, Path(tmp) / name).read_bytes()
        media = "text/csv; charset=utf-8"
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
