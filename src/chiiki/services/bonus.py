"""The reviewer's 加点 lookup (SPEC §6.4, issue #12 §2): for applicants to a subsidy, given by 法人番号,
company id or name, whether each is a 重点支援企業 (and of which plan), its connector / hub degree
percentiles within its prefecture and its priority-company score, and the points the 加点 rule (a
setting, :class:`chiiki.plans.rules.PlanRules`) gives, with the reasons.

One applicant or a list of thousands: everything is one Polars pipeline over the data set's firms
(:func:`chiiki.plans.bonus.bonus_frame`); names are matched by :func:`chiiki.firms.names.match_names`,
which says when it is unsure. Firm figures follow the data's scope (SPEC §0,
:func:`chiiki.services.access.may_see_firm_figures`): outside the reader's scope a found firm is
named but its figures and points are not shown.

Points count the 重点支援企業 of plans that are approved (承認・フォローアップ中・終了); a firm listed in a
plan still in draft or review is shown with that plan but gets no points for it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.firms.names import firm_keys, match_names
from chiiki.plans.bonus import bonus_from_percentiles, degree_percentiles
from chiiki.plans.labels import STATE_LABELS
from chiiki.plans.rules import PlanRules
from chiiki.reference import prefectures
from chiiki.reference.checkdigits import is_valid_corporate_number
from chiiki.services.access import Principal, may_see_firm_figures, require_role
from chiiki.services.analytics import Analytics
from chiiki.store.errors import InvalidInputError
from chiiki.store.models import Plan, PriorityFirm

COUNTING_STATES = ("approved", "monitoring", "closed")
"""Plans whose 重点支援企業 earn the 加点 (the plan was approved)."""
MAX_APPLICANTS = 10_000
"""Most applicants in one list."""
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ID_COLUMNS = ("法人番号", "corporate_number")
NAME_COLUMNS = ("企業名", "名称", "申請者", "申請者名", "事業者名", "name")
COMPANY_ID_COLUMNS = ("企業ID", "company_id")

MATCH_LABELS = {
    "corporate_number": "法人番号で一致",
    "company_id": "企業IDで一致",
    "exact": "企業名で一致",
    "several": "要確認: 同じ名前の企業が複数あります",
    "partial": "要確認: 名前の一部が一致する企業です",
    "none": "見つかりません",
    "bad_number": "法人番号の誤り（チェックディジットが合いません）",
}
SURE = ("corporate_number", "company_id", "exact")

RESULT_COLUMNS = {
    "row": "番号",
    "query": "入力",
    "match_label": "照合結果",
    "name": "企業名",
    "corporate_number": "法人番号",
    "prefecture": "都道府県",
    "priority_plans": "重点支援企業（計画）",
    "connector_percentile": "コネクター度（県内パーセンタイル）",
    "hub_percentile": "ハブ度（県内パーセンタイル）",
    "score": "総合スコア",
    "bonus_points": "加点",
    "reasons_text": "理由",
    "candidates_text": "候補の企業",
}
"""Columns of the downloadable table, in order, with their Japanese headers."""


def rule_text(rules: PlanRules) -> str:
    """The 加点 rule as a reviewer reads it."""
    return (
        f"承認済みの計画の重点支援企業: +{rules.bonus_priority}点。"
        f"コネクター度が県内 {rules.bonus_percentile:g} パーセンタイル以上: +{rules.bonus_degree}点。"
        f"ハブ度が県内 {rules.bonus_percentile:g} パーセンタイル以上: +{rules.bonus_degree}点。"
        f"合計の上限 {rules.bonus_max}点。パーセンタイル = 県内で度合いがその企業以下の企業の割合（%）。"
    )


def require_bonus_reader(principal: Principal) -> None:
    require_role(principal, "reviewer", "bureau", "prefecture", action="加点の確認")


def memberships(db: Session) -> pl.DataFrame:
    """``company_id, plan_id, title, state, counts`` of every plan's 重点支援企業."""
    rows = db.execute(
        select(PriorityFirm.company_id, Plan.id, Plan.title, Plan.state).join(
            Plan, Plan.id == PriorityFirm.plan_id
        )
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"company_id": pl.Utf8, "plan_id": pl.Int64, "title": pl.Utf8, "state": pl.Utf8},
        orient="row",
    ).with_columns(counts=pl.col("state").is_in(COUNTING_STATES))


def _plans_text(member: pl.DataFrame) -> pl.DataFrame:
    state = pl.col("state").replace_strict(STATE_LABELS, default=pl.col("state"), return_dtype=pl.Utf8)
    return (
        member.sort("plan_id")
        .with_columns(text=pl.format("「{}」（ID {}、{}）", pl.col("title"), pl.col("plan_id"), state))
        .group_by("company_id")
        .agg(
            priority_plans=pl.col("text").str.join("、"),
            selected=pl.col("counts").any(),
        )
    )


@dataclass(frozen=True)
class BonusResult:
    table: pl.DataFrame
    """One row per applicant (see :data:`RESULT_COLUMNS`, plus ``company_id``, ``match``, ``hidden``)."""
    year: int
    rule: str
    sure: int
    unsure: int
    not_found: int
    hidden: int


def _classify(queries: pl.DataFrame, firms: pl.DataFrame) -> pl.DataFrame:
    """``row, query`` → ``row, query, kind`` (corporate_number | company_id | name) and ``value``."""
    cleaned = pl.col("query").map_elements(
        lambda s: unicodedata.normalize("NFKC", s or "").strip(), return_dtype=pl.Utf8
    )
    ids = firms["company_id"].implode()
    digits = pl.col("value").str.replace_all(r"[\s\-]", "")
    return queries.with_columns(value=cleaned).with_columns(
        kind=pl.when(digits.str.contains(r"^\d{13}$"))
        .then(pl.lit("corporate_number"))
        .when(pl.col("value").is_in(ids))
        .then(pl.lit("company_id"))
        .otherwise(pl.lit("name")),
        digits=digits,
    )


def lookup(
    analytics: Analytics,
    db: Session,
    principal: Principal,
    queries: list[str],
    *,
    rules: PlanRules | None = None,
    year: int | None = None,
) -> BonusResult:
    """The 加点 of each applicant of ``queries`` (法人番号, company id or name; the list's order and
    row numbers are kept)."""
    require_bonus_reader(principal)
    rules = rules or PlanRules()
    if len(queries) > MAX_APPLICANTS:
        raise InvalidInputError(
            f"申請者は一度に {MAX_APPLICANTS:,} 件までです（{len(queries):,} 件あります）。分けて確認してください。"
        )
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc
    firms = fy.firms.select(
        "company_id", "corporate_number", "name", "prefecture_code", "connector_degree", "hub_degree", "score"
    )
    member = memberships(db)
    plans = _plans_text(member)

    q = pl.DataFrame(
        {"row": list(range(1, len(queries) + 1)), "query": [str(x) for x in queries]},
        schema={"row": pl.Int64, "query": pl.Utf8},
    )
    classified = _classify(q, firms)
    valid_number = pl.col("digits").map_elements(is_valid_corporate_number, return_dtype=pl.Boolean)
    by_number = (
        classified.filter(pl.col("kind") == "corporate_number")
        .with_columns(valid=valid_number)
        .join(
            firms.select("company_id", "corporate_number").filter(pl.col("corporate_number").is_not_null()),
            left_on="digits",
            right_on="corporate_number",
            how="left",
        )
        .group_by("row", maintain_order=True)
        .agg(pl.col("company_id").drop_nulls().first(), pl.col("valid").first())
        .with_columns(
            match=pl.when(pl.col("company_id").is_not_null())
            .then(pl.lit("corporate_number"))
            .when(~pl.col("valid"))
            .then(pl.lit("bad_number"))
            .otherwise(pl.lit("none")),
            candidates=pl.lit([], dtype=pl.List(pl.Utf8)),
        )
        .select("row", "company_id", "match", "candidates")
    )
    by_id = (
        classified.filter(pl.col("kind") == "company_id")
        .select("row", company_id=pl.col("value"), match=pl.lit("company_id"))
        .with_columns(candidates=pl.lit([], dtype=pl.List(pl.Utf8)))
    )
    names = classified.filter(pl.col("kind") == "name").select("row", query=pl.col("value"))
    keyed = fy.memo.get("name_keys")
    if keyed is None:  # the firms' name keys, once per data-set year and process
        keyed = fy.memo["name_keys"] = firm_keys(firms)
    by_name = match_names(names, firms.select("company_id", "name"), keyed=keyed).select(
        "row", "company_id", "match", "candidates"
    )
    found = pl.concat([by_number, by_id, by_name], how="vertical_relaxed")
    percentiles = fy.memo.get("degree_percentiles")
    if percentiles is None:  # within each prefecture, once per data-set year and process
        percentiles = fy.memo["degree_percentiles"] = degree_percentiles(firms)
    matched = found.select("company_id").drop_nulls().unique()
    scored = bonus_from_percentiles(
        percentiles.join(matched, on="company_id", how="semi")
        .join(plans, on="company_id", how="left")
        .with_columns(pl.col("selected").fill_null(False)),
        rules=rules,
    )

    pref_names = dict(zip(prefectures()["prefecture_code"], prefectures()["name"], strict=True))
    name_of = firms.select(
        "company_id",
        cand_name=pl.format(
            "{}（{}）",
            pl.col("name"),
            pl.col("prefecture_code").replace_strict(pref_names, default="", return_dtype=pl.Utf8),
        ),
    )
    candidates = (
        found.select("row", "candidates")
        .explode("candidates")
        .join(name_of, left_on="candidates", right_on="company_id", how="left")
        .group_by("row")
        .agg(candidates_text=pl.col("cand_name").drop_nulls().str.join("、"))
    )
    dataset_name = analytics.ref.name if analytics.ref else "default"
    visible = pl.DataFrame(
        {
            "prefecture_code": list(pref_names),
            "visible": [may_see_firm_figures(principal, dataset_name, p) for p in pref_names],
        }
    )
    table = (
        q.join(found, on="row", how="left")
        .join(candidates, on="row", how="left")
        .join(
            scored.drop("name", "corporate_number").rename({"prefecture_code": "pref"}),
            on="company_id",
            how="left",
        )
        .join(firms.select("company_id", "name", "corporate_number"), on="company_id", how="left")
        .join(visible.rename({"prefecture_code": "pref"}), on="pref", how="left")
        .with_columns(hidden=pl.col("company_id").is_not_null() & ~pl.col("visible").fill_null(False))
    )
    hide = pl.col("hidden")
    reasons = pl.col("reasons").list.join("。")
    table = table.with_columns(
        match_label=pl.col("match").replace_strict(MATCH_LABELS, return_dtype=pl.Utf8),
        prefecture=pl.col("pref").replace_strict(pref_names, default=None, return_dtype=pl.Utf8),
        priority_plans=pl.when(hide)
        .then(None)
        .otherwise(
            pl.col("priority_plans").fill_null(
                pl.when(pl.col("company_id").is_not_null()).then(pl.lit("なし"))
            )
        ),
        connector_percentile=pl.when(~hide).then(pl.col("connector_percentile").round(1)),
        hub_percentile=pl.when(~hide).then(pl.col("hub_percentile").round(1)),
        score=pl.when(~hide).then(pl.col("score").round(1)),
        bonus_points=pl.when(~hide).then(pl.col("bonus_points")),
        reasons_text=pl.when(pl.col("company_id").is_null())
        .then(
            pl.when(pl.col("match").is_in(["several", "partial"]))
            .then(pl.lit("候補から正しい企業を確かめ、法人番号で確認し直してください"))
            .otherwise(pl.lit("企業データにないため加点を判定できません"))
        )
        .when(hide)
        .then(pl.lit("あなたの権限で企業別の数値を見られない地域の企業のため、指標と加点は表示しません"))
        .when(reasons == "")
        .then(pl.lit("加点の条件に該当しません（0点）"))
        .otherwise(reasons),
        candidates_text=pl.when(pl.col("match").is_in(["several", "partial"])).then(
            pl.col("candidates_text")
        ),
    ).sort("row")
    counts = table.select(
        sure=pl.col("match").is_in(SURE).sum(),
        unsure=pl.col("match").is_in(["several", "partial"]).sum(),
        not_found=pl.col("match").is_in(["none", "bad_number"]).sum(),
        hidden=pl.col("hidden").sum(),
    ).row(0, named=True)
    keep = list(RESULT_COLUMNS) + ["company_id", "match", "hidden"]
    return BonusResult(
        table.select(keep),
        fy.year,
        rule_text(rules),
        int(counts["sure"]),
        int(counts["unsure"]),
        int(counts["not_found"]),
        int(counts["hidden"]),
    )


def download_frame(result: BonusResult) -> pl.DataFrame:
    """The result with Japanese headers, ready for :mod:`chiiki.data.writers`."""
    return result.table.select(list(RESULT_COLUMNS)).rename(RESULT_COLUMNS)


def split_lines(text: str) -> list[str]:
    """Applicants typed or pasted one a line (blank lines skipped)."""
    return [line.strip() for line in re.split(r"\r?\n", text or "") if line.strip()]


def read_applicants(data: bytes, filename: str) -> list[str]:
    """Applicants of an uploaded CSV or Excel list: per row the 法人番号 when the row has one, else the
    企業名, else the 企業ID (columns named as in :data:`ID_COLUMNS`, :data:`NAME_COLUMNS`,
    :data:`COMPANY_ID_COLUMNS`; a list without such a header is read from its first column)."""
    from chiiki.data.readers import DataReadError, decode_csv_bytes

    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(
            f"{filename}: ファイルが大きすぎます（{MAX_UPLOAD_BYTES // 1024 // 1024} MB まで）。"
        )
    suffix = Path(filename).suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=0)
        elif suffix in (".csv", ".txt", ""):
            text, _ = decode_csv_bytes(data, Path(filename))
            frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)
        else:
            raise InvalidInputError(f"{filename}: CSV（.csv）か Excel（.xlsx）のファイルを選んでください。")
    except DataReadError as exc:
        raise InvalidInputError(str(exc)) from exc
    except InvalidInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise InvalidInputError(
            f"{filename}: ファイルを読み込めません（{exc}）。CSV か Excel の表か確認してください。"
        ) from exc
    header = {unicodedata.normalize("NFKC", c).strip(): c for c in frame.columns}

    def col(names: tuple[str, ...]) -> pl.Expr | None:
        found = next((header[n] for n in names if n in header), None)
        return pl.col(found).cast(pl.Utf8).str.strip_chars() if found else None

    picks = [c for c in (col(ID_COLUMNS), col(NAME_COLUMNS), col(COMPANY_ID_COLUMNS)) if c is not None]
    if not picks:
        # no known header: the header line itself is the first applicant
        first = frame.columns[0]
        values = [first] + frame[first].cast(pl.Utf8).to_list()
        return [v.strip() for v in values if v and v.strip()]
    expr = pl.coalesce([pl.when(p != "").then(p) for p in picks])
    values = frame.select(expr.alias("q"))["q"].to_list()
    out = [v for v in values if v]
    if not out:
        raise InvalidInputError(
            f"{filename}: 申請者が1件もありません（法人番号または企業名の列を確認してください）。"
        )
    return out
