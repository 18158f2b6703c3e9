"""The regional economy as the map, 花火図, 商流圏 and trend pages read it (issue #13 items 1–4).

Thin wrappers over the core: indicators per prefecture or municipality are sums of the built firm
analyses (:mod:`chiiki.services.analysis_files`) and LQs from :func:`chiiki.industry.location_quotient`;
the 花火図 and 商流圏 come from :mod:`chiiki.firms.fireworks` and :mod:`chiiki.firms.dependence` on the
year's :class:`~chiiki.firms.graph.SupplyGraph` (built once per data-set version, year and process);
trends from :mod:`chiiki.firms.trends` over the per-year analyses already built. Nothing here
reimplements an indicator.

Access (SPEC §0): firm-level rows only for a reader entitled to the firm's prefecture in the
analysed data set (:func:`~chiiki.services.access.may_see_firm_figures`); for everyone else
aggregates over fewer than ``min_count`` firms are suppressed with their complements
(:func:`chiiki.industry.disclosure.suppressed_cells`, SPEC §0.1).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chiiki.firms.dependence import DependenceResult, dependence_on_graph
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.fireworks import Fireworks, firm_fireworks, industry_flows, prefecture_flows
from chiiki.firms.graph import SupplyGraph, supply_graph
from chiiki.firms.network import build_network
from chiiki.firms.trends import YEARLY_COLUMNS, YearlyIndicators, firm_trend, prefecture_trend
from chiiki.industry import location_quotient
from chiiki.industry.disclosure import suppressed_cells
from chiiki.reference import blocks, municipalities, prefecture_names
from chiiki.services.access import AccessDeniedError, Principal, may_see_firm_figures
from chiiki.services.analytics import Analytics, FirmYear, top_share_cuts
from chiiki.store.models import Plan

VISIBLE_COUNT = 10**9
"""The firm count given to a region the reader may see in full: never suppressed, a complement
only last."""

INDICATORS: dict[str, tuple[str, str, str]] = {
    "n_firms": ("企業数", "社", "データにある企業の数。"),
    "sales": ("売上高", "千円", "企業の売上高の合計。"),
    "employees": ("従業者数", "人", "企業の従業者数の合計。"),
    "value_added": (
        "付加価値額",
        "千円",
        "営業利益＋給与総額の合計（両方を報告した企業。産業分析の付加価値額と同じ定義）。",
    ),
    "lq": (
        "特化係数",
        "",
        "選んだ産業の従業者の比率 ÷ 全国の同じ産業の比率。1を超えると全国より集積しています。",
    ),
    "n_connector_hub": (
        "コネクターハブ企業候補数",
        "社",
        "コネクター度（域外販売額の県内シェア）とハブ度（域内仕入額の県内シェア）がともに県内上位10%の企業の数。",
    ),
    "out_sales": (
        "域外販売額（コネクター度の合計）",
        "千円",
        "都道府県外の企業への販売額の合計（コネクター度の分母）。",
    ),
    "in_region_value": (
        "域内取引額（ハブ度の合計）",
        "千円",
        "同じ都道府県の企業どうしの取引額の合計（各取引を1回。ハブ度の分母）。",
    ),
    "plans": ("計画数", "件", "地域の計画の数（すべての状態）。"),
    "plans_active": ("承認済み・実施中の計画数", "件", "承認済み・実施中・終了の計画の数。"),
}
"""Choropleth indicators: key → (label, unit, help text)."""
FIRM_INDICATORS = (
    "sales",
    "employees",
    "value_added",
    "lq",
    "n_connector_hub",
    "out_sales",
    "in_region_value",
)
"""Indicators summed from firm figures: suppressed over fewer than ``min_count`` firms."""
ACTIVE_STATES = ("approved", "monitoring", "closed")
LQ_MEASURE = "employees"


def plan_counts(db: Session, level: str) -> pl.DataFrame:
    """``code, plans, plans_active`` per prefecture or municipality (plans are not firm data)."""
    col = Plan.prefecture_code if level == "prefecture" else Plan.municipality_code
    rows = db.execute(
        select(col, Plan.state, func.count()).where(col.is_not(None)).group_by(col, Plan.state)
    ).all()
    frame = pl.DataFrame(rows, schema={"code": pl.Utf8, "state": pl.Utf8, "n": pl.Int64}, orient="row")
    return frame.group_by("code").agg(
        pl.col("n").sum().alias("plans"),
        pl.col("n").filter(pl.col("state").is_in(ACTIVE_STATES)).sum().alias("plans_active"),
    )


def region_key(level: str) -> str:
    return "prefecture_code" if level == "prefecture" else "municipality_code"


def _candidate_flags(fy: FirmYear, top: float) -> pl.Series:
    """Whether each firm of ``fy.firms`` is a connector-hub candidate of its prefecture (both
    degrees in the prefecture's top ``top`` %, SPEC §3.2; the cut values of :func:`top_share_cuts`)."""
    key = ("candidate_flags", top)
    if key not in fy.memo:
        cuts = [(code, *top_share_cuts(fy.region(code), top_percent=top)) for code in sorted(fy.by_region)]
        table = pl.DataFrame(
            cuts, schema={"region_code": pl.Utf8, "_cx": pl.Float64, "_cy": pl.Float64}, orient="row"
        )
        flags = fy.firms.select("region_code", "connector_degree", "hub_degree").join(
            table, on="region_code", how="left", maintain_order="left"
        )
        fy.memo[key] = flags.select(
            (
                (pl.col("connector_degree") >= pl.col("_cx"))
                & (pl.col("hub_degree") >= pl.col("_cy"))
                & (pl.col("connector_degree") > 0)
            )
            .fill_null(False)
            .alias("candidate")
        ).to_series()
    return fy.memo[key]


def firm_sums(fy: FirmYear, level: str, *, top: float = 10.0) -> pl.DataFrame:
    """Per region of ``level``: ``n_firms``, ``sales``, ``employees``, ``value_added``,
    ``n_connector_hub``, ``out_sales``, ``in_region_value`` (memoised per year)."""
    key = ("firm_sums", level, top)
    if key not in fy.memo:
        k = region_key(level)
        firms = fy.firms.with_columns(_candidate_flags(fy, top))
        fy.memo[key] = (
            firms.filter(pl.col(k).is_not_null())
            .group_by(pl.col(k).alias("code"))
            .agg(
                pl.len().cast(pl.Int64).alias("n_firms"),
                pl.col("sales").sum(),
                pl.col("employees").sum(),
                (pl.col("operating_profit") + pl.col("payroll")).sum().alias("value_added"),
                pl.col("candidate").sum().cast(pl.Int64).alias("n_connector_hub"),
                pl.col("out_sales").sum(),
                pl.col("in_purchases").sum().alias("in_region_value"),
            )
            .sort("code")
        )
    return fy.memo[key]


def lq_values(fy: FirmYear, level: str, jsic: str) -> pl.DataFrame:
    """``code, lq, n_industry_firms`` of JSIC 中分類 ``jsic`` per region of ``level``: the employee
    LQ of :func:`chiiki.industry.location_quotient` against all regions of the level nationally."""
    key = ("lq", level, jsic)
    if key not in fy.memo:
        cells = cell_counts(fy, level)
        frame = cells.select(
            pl.col("code").alias("region_code"), "industry_code", pl.lit(LQ_MEASURE).alias("measure"),
            pl.col("employees").cast(pl.Float64).alias("value"),
        )  # fmt: skip
        lq = location_quotient(frame).filter(pl.col("industry_code") == jsic)
        fy.memo[key] = (
            lq.select(pl.col("region_code").alias("code"), "lq")
            .join(
                cells.filter(pl.col("industry_code") == jsic).select(
                    "code", pl.col("count").alias("n_industry_firms")
                ),
                on="code",
                how="left",
            )
            .with_columns(pl.col("n_industry_firms").fill_null(0))
        )
    return fy.memo[key]


def cell_counts(fy: FirmYear, level: str) -> pl.DataFrame:
    """Firms and employees per (region of ``level``, JSIC 中分類) of the year."""
    key = ("cells", level)
    if key not in fy.memo:
        k = region_key(level)
        fy.memo[key] = (
            fy.firms.filter(pl.col(k).is_not_null() & pl.col("jsic_code").is_not_null())
            .group_by(pl.col(k).alias("code"), pl.col("jsic_code").alias("industry_code"))
            .agg(pl.len().cast(pl.Int64).alias("count"), pl.col("employees").fill_null(0).sum())
        )
    return fy.memo[key]


def hidden_regions(counts: pl.DataFrame, visible: Callable[[str], bool], min_count: int) -> set[str]:
    """Regions (``code``, firm ``count`` per region, in one column line) to suppress for a reader
    who sees the regions ``visible`` in full: primary under ``min_count`` firms and complements."""
    if counts.is_empty():
        return set()
    cells = counts.select(
        pl.col("code").alias("region_code"),
        pl.lit("all").alias("industry_code"),
        pl.when(pl.col("code").map_elements(visible, return_dtype=pl.Boolean))
        .then(pl.lit(VISIBLE_COUNT))
        .otherwise(pl.col("count"))
        .alias("count"),
    )
    return set(suppressed_cells(cells, min_count=min_count)["region_code"].to_list())


def hidden_industry_cells(
    fy: FirmYear, level: str, jsic: str, visible: Callable[[str], bool], min_count: int
) -> set[str]:
    """Regions whose cell of industry ``jsic`` is suppressed (primary or complementary over the whole
    region × industry table, so that no cell follows by subtraction)."""
    cells = cell_counts(fy, level)
    vis = {c: visible(c) for c in cells["code"].unique().to_list()}
    counts = cells.select(
        pl.col("code").alias("region_code"),
        "industry_code",
        pl.when(pl.col("code").replace_strict(vis, return_dtype=pl.Boolean))
        .then(pl.lit(VISIBLE_COUNT))
        .otherwise(pl.col("count"))
        .alias("count"),
    )
    hidden = suppressed_cells(counts, min_count=min_count).filter(pl.col("industry_code") == jsic)
    return set(hidden["region_code"].to_list())


@dataclass(frozen=True)
class RegionTable:
    """One indicator per region of a map: ``table`` has ``code, name, value, n_firms,
    suppressed``; ``note`` says what was suppressed (None when nothing)."""

    indicator: str
    label: str
    unit: str
    help: str
    table: pl.DataFrame
    note: str | None


def region_names(level: str) -> dict[str, str]:
    if level == "prefecture":
        return prefecture_names()
    m = municipalities()
    return dict(zip(m["municipality_code"], m["name"], strict=True))


def region_indicator(
    fy: FirmYear | None,
    *,
    level: str,
    indicator: str,
    codes: list[str],
    visible: Callable[[str], bool],
    min_count: int,
    jsic: str | None = None,
    plans: pl.DataFrame | None = None,
) -> RegionTable:
    """``indicator`` (:data:`INDICATORS`) for the regions ``codes`` of ``level``; firm sums of a
    region the reader may not see (``visible``: prefecture code → bool) suppressed under
    ``min_count`` firms (and complements). ``plans``: ``code, plans, plans_active``."""
    if indicator not in INDICATORS:
        raise ValueError(
            f"指標 {indicator} はありません。{'、'.join(v[0] for v in INDICATORS.values())} から選んでください。"
        )
    label, unit, help_text = INDICATORS[indicator]
    names = region_names(level)
    base = pl.DataFrame({"code": codes}, schema={"code": pl.Utf8}).with_columns(
        pl.col("code").replace_strict(names, default=None, return_dtype=pl.Utf8).alias("name")
    )
    pref_of = (lambda c: c) if level == "prefecture" else (lambda c: c[:2])
    if indicator in ("plans", "plans_active"):
        p = plans if plans is not None else pl.DataFrame(schema={"code": pl.Utf8, indicator: pl.Int64})
        table = base.join(p.select("code", pl.col(indicator).alias("value")), on="code", how="left").with_columns(
            pl.col("value").fill_null(0).cast(pl.Float64), pl.lit(None, pl.Int64).alias("n_firms"),
            pl.lit(False).alias("suppressed"),
        )  # fmt: skip
        return RegionTable(indicator, label, unit, help_text, table, None)
    if fy is None:
        table = base.with_columns(
            pl.lit(None, pl.Float64).alias("value"), pl.lit(None, pl.Int64).alias("n_firms"),
            pl.lit(False).alias("suppressed"),
        )  # fmt: skip
        return RegionTable(indicator, label, unit, help_text, table, None)
    sums = firm_sums(fy, level)
    if indicator == "lq":
        if not jsic:
            raise ValueError("特化係数には産業（中分類）を選んでください。")
        label = f"特化係数（{jsic_label(jsic)}、従業者数）"
        values = lq_values(fy, level, jsic).select("code", pl.col("lq").alias("value"))
        hidden = hidden_industry_cells(fy, level, jsic, lambda c: visible(pref_of(c)), min_count)
    else:
        values = sums.select("code", pl.col(indicator).cast(pl.Float64).alias("value"))
        hidden = (
            set()
            if indicator == "n_firms"
            else hidden_regions(
                sums.select("code", pl.col("n_firms").alias("count")),
                lambda c: visible(pref_of(c)),
                min_count,
            )
        )
    hidden &= set(codes)
    table = (
        base.join(values, on="code", how="left")
        .join(sums.select("code", "n_firms"), on="code", how="left")
        .with_columns(pl.col("code").is_in(sorted(hidden)).alias("suppressed"))
        .with_columns(pl.when("suppressed").then(None).otherwise(pl.col("value")).alias("value"))
    )
    if indicator == "n_firms":
        table = table.with_columns(pl.col("value").fill_null(0.0))
    note = None
    if hidden:
        note = (
            f"企業数が{min_count}社未満の地域と、その値が差し引きで分かってしまう地域（{len(hidden)}地域）の値は"
            "秘匿し、地図では「データなし」と同じ灰色で示しています（企業別データの利用が許諾された方には表示されます）。"
        )
    return RegionTable(indicator, label, unit, help_text, table, note)


def jsic_label(code: str) -> str:
    from chiiki.reference import jsic  # noqa: PLC0415 - small, cached table

    names = dict(jsic("middle").select("code", "name").iter_rows())
    return f"{code} {names.get(code, '')}".strip()


def block_prefectures(block: str) -> list[str]:
    """The prefectures a block's map shows (:func:`chiiki.reference.blocks`)."""
    row = blocks().filter(pl.col("block_code") == block)
    return sorted(row["prefecture_codes"][0].to_list()) if row.height else []


def entitled(principal: Principal, analytics: Analytics) -> Callable[[str], bool]:
    """prefecture code → whether ``principal`` may see its firm figures in the analysed data set."""
    name = analytics.ref.name if analytics.ref is not None else ""
    return lambda pref: may_see_firm_figures(principal, name, pref)


# --- the year's supply graph, once per process ---------------------------------------------------

_GRAPH_LOCK = threading.Lock()


def year_graph(analytics: Analytics, year: int) -> SupplyGraph:
    """The prefecture-level :class:`SupplyGraph` of ``year`` of the analysed data set, built once
    per process (seconds on the national data set) and kept with the data set's analytics."""
    memo = analytics.industry.memo()
    key = ("supply_graph", year)
    graph = memo.get(key)
    if graph is None:
        with _GRAPH_LOCK:
            graph = memo.get(key)
            if graph is None:
                ds = analytics.dataset()
                net = build_network(ds.companies, ds.transactions, year=year, level="prefecture")
                graph = memo[key] = supply_graph(net)
    return graph


def fireworks_of(
    analytics: Analytics, year: int, company_id: str, *, tiers: int = 2, top: int | None = 200
) -> Fireworks:
    """The firm's 花火図 (in-region suppliers, out-of-region customers, ``tiers`` tiers, the ``top``
    largest links per side and tier)."""
    return firm_fireworks(
        None, None, year=year, company_id=company_id, tiers=tiers, top=top, graph=year_graph(analytics, year)
    )


ANON = "（閲覧権限のない地域の企業）"


def scope_fireworks(fw: Fireworks, visible: Callable[[str], bool]) -> tuple[Fireworks, set[str]]:
    """Second-tier partners in prefectures the reader may not see lose their name, id and sales
    (their lines stay: the amounts are the links of the reader's first-tier partners)."""
    nodes = fw.nodes
    vis = {c: visible(c) for c in nodes["prefecture_code"].drop_nulls().unique().to_list()}
    hide = (pl.col("tier") >= 2) & ~pl.col("prefecture_code").replace_strict(
        vis, default=False, return_dtype=pl.Boolean
    )
    hidden_ids = set(nodes.filter(hide)["company_id"].to_list())
    nodes = nodes.with_columns(
        pl.when(hide).then(pl.lit(ANON)).otherwise(pl.col("name")).alias("name"),
        pl.when(hide).then(None).otherwise(pl.col("sales")).alias("sales"),
        hide.alias("anonymised"),
    )
    return Fireworks(
        nodes=nodes, edges=fw.edges, uses_estimated=fw.uses_estimated, notes=fw.notes
    ), hidden_ids


def dependence_of(
    analytics: Analytics, year: int, company_id: str, *, tiers: int, delta: float | None, in_region_only: bool
) -> DependenceResult:
    return dependence_on_graph(
        year_graph(analytics, year), company_id, tiers=tiers, delta=delta, in_region_only=in_region_only
    )


DEPENDENCE_HIDDEN = ["company_id", "name", "municipality_code", "sales", "direct_amount", "direct_share", "share",
                     "delta_output", "delta_share"]  # fmt: skip


def scope_dependence(firms: pl.DataFrame, visible: Callable[[str], bool]) -> tuple[pl.DataFrame, int]:
    """Upstream firms of prefectures the reader may not see keep only tier, prefecture and industry
    (their figures would reveal their sales); returns the frame and how many were hidden."""
    vis = {c: visible(c) for c in firms["prefecture_code"].drop_nulls().unique().to_list()}
    hide = ~pl.col("prefecture_code").replace_strict(vis, default=False, return_dtype=pl.Boolean)
    n = int(firms.select(hide.sum()).item()) if firms.height else 0
    return (
        firms.with_columns(
            *[pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in DEPENDENCE_HIDDEN],
            hide.alias("anonymised"),
        ),
        n,
    )


def flows_visible(edges: pl.DataFrame, min_count: int) -> pl.Expr:
    """Rows of an aggregate flow table a reader not entitled to the firms may see: at least
    ``min_count`` suppliers and ``min_count`` customers behind the flow."""
    return (pl.col("n_suppliers") >= min_count) & (pl.col("n_customers") >= min_count)


def _memo_flows(analytics: Analytics, key: tuple, build: Callable[[], Fireworks]) -> Fireworks:
    """A flow view, computed once per data set, year and prefecture (a pass over the year's links)."""
    memo = analytics.industry.memo()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def industry_flows_of(analytics: Analytics, year: int, pref: str) -> Fireworks:
    """:func:`chiiki.firms.fireworks.industry_flows` of ``pref`` on the year's kept network."""
    net = year_graph(analytics, year).net
    return _memo_flows(
        analytics, ("industry_flows", year, pref),
        lambda: industry_flows(None, None, year=year, region_code=pref, network=net),
    )  # fmt: skip


def prefecture_flows_of(analytics: Analytics, year: int, pref: str) -> Fireworks:
    """:func:`chiiki.firms.fireworks.prefecture_flows` of ``pref`` on the year's kept network."""
    net = year_graph(analytics, year).net
    return _memo_flows(
        analytics, ("prefecture_flows", year, pref),
        lambda: prefecture_flows(None, None, year=year, prefecture_code=pref, network=net),
    )  # fmt: skip


def suppress_flows(fw: Fireworks, *, show_all: bool, min_count: int) -> tuple[pl.DataFrame, int]:
    """The flows a reader may see and the number suppressed (fewer than ``min_count`` suppliers or
    customers behind them), unless ``show_all``."""
    if show_all:
        return fw.edges, 0
    keep = fw.edges.filter(flows_visible(fw.edges, min_count))
    return keep, fw.edges.height - keep.height


@dataclass(frozen=True)
class ScopedFlows:
    """A flow view as a reader may see it: the year, the view, its visible edges, how many hidden."""

    year: int
    flows: Fireworks
    edges: pl.DataFrame
    n_hidden: int


FLOW_VIEWS = {"industry": industry_flows_of, "prefectures": prefecture_flows_of}


def scoped_flows(
    analytics: Analytics, principal: Principal, *, view: str, pref: str, year: int | None, min_count: int
) -> ScopedFlows:
    """The industry or prefecture flows of ``pref`` in ``year`` for ``principal`` (pages and API
    alike): suppressed under ``min_count`` firms unless the reader is entitled; an unknown year or
    prefecture is a Japanese 404."""
    try:
        fy = analytics.firm_year(year)
        fw = FLOW_VIEWS[view](analytics, fy.year, pref)
    except (LookupError, FirmAnalysisError) as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    edges, n_hidden = suppress_flows(fw, show_all=entitled(principal, analytics)(pref), min_count=min_count)
    return ScopedFlows(fy.year, fw, edges, n_hidden)


# --- trends ---------------------------------------------------------------------------------------


def yearly_from_analyses(analytics: Analytics, *, prefecture: str | None = None) -> YearlyIndicators:
    """:class:`~chiiki.firms.trends.YearlyIndicators` assembled from the built per-year analyses
    (the same builders' output: degrees of SPEC §3.1, the score of SPEC §3.2), so a trend page
    recomputes nothing. ``score_years``: the data's years among the three ending in each year."""
    years = analytics.years()
    key = ("yearly", prefecture)
    memo = analytics.industry.memo()
    if key not in memo:
        frames, notes = [], []
        for y in years:
            fy = analytics.firm_year(y)
            firms = fy.region(prefecture) if prefecture else fy.firms
            n_years = sum(1 for v in years if y - 2 <= v <= y)
            frames.append(
                firms.select(
                    "fiscal_year",
                    "company_id",
                    "name",
                    "prefecture_code",
                    "sales",
                    "employees",
                    "operating_profit",
                    "connector_degree",
                    "hub_degree",
                    "connector_rank",
                    "hub_rank",
                    (pl.col("in_sales") + pl.col("in_purchases")).alias("in_region_value"),
                    "score",
                    "score_rank",
                    "in_sales",
                    "in_purchases",
                    (
                        pl.col("n_out_customers")
                        + pl.col("n_in_customers")
                        + pl.col("n_in_suppliers")
                        + pl.col("n_out_suppliers")
                    ).alias("n_links"),
                    pl.lit(n_years, pl.Int64).alias("score_years"),
                    "uses_estimated",
                )  # fmt: skip
            )
            if n_years < 3:
                notes.append(
                    f"{y}年度の総合スコアは{n_years}年分のデータで計算しています（成長率を除き重みを再配分。3年分の年度と比べられません）。"
                )
        firms = pl.concat(frames, how="diagonal_relaxed").select(YEARLY_COLUMNS)
        memo[key] = YearlyIndicators(firms=firms, years=tuple(years), notes=notes)
    return memo[key]


def firm_trend_of(analytics: Analytics, company_id: str, prefecture: str) -> tuple[pl.DataFrame, list[str]]:
    yearly = yearly_from_analyses(analytics, prefecture=prefecture)
    return firm_trend(yearly, company_id), yearly.notes


def prefecture_trend_of(analytics: Analytics, prefecture: str) -> tuple[pl.DataFrame, list[str]]:
    yearly = yearly_from_analyses(analytics, prefecture=prefecture)
    return prefecture_trend(yearly, prefecture), yearly.notes


# --- a firm's pages: scope first ------------------------------------------------------------------


def scoped_firm(
    analytics: Analytics, principal: Principal, company_id: str, year: int | None
) -> tuple[FirmYear, dict]:
    """The year's analyses and the firm's row, if ``principal`` may see the firm's figures
    (SPEC §0); otherwise the same Japanese 404 as for a firm that does not exist (whether an
    out-of-scope firm exists is not the reader's to know)."""
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise AccessDeniedError(str(exc), status_code=404) from exc
    not_found = AccessDeniedError(
        f"企業ID {company_id} は{fy.year}年度のデータにないか、閲覧する権限がありません。", status_code=404
    )
    row = fy.firms.filter(pl.col("company_id") == company_id)
    if row.height == 0:
        raise not_found
    firm = row.row(0, named=True)
    if not entitled(principal, analytics)(firm["prefecture_code"]):
        raise not_found
    return fy, firm


FIREWORK_KINDS = {("supplier", 1): "1次仕入先", ("supplier", 2): "2次仕入先",
                  ("customer", 1): "1次販売先", ("customer", 2): "2次販売先"}  # fmt: skip


@dataclass(frozen=True)
class FirmNetwork:
    """A firm's 花火図 as a reader may see it: ``edges`` with both ends' municipality and the line's
    kind (1次仕入先 …), ``partners`` one row per partner firm with the amount of its link toward the
    firm's side, ``n_anonymised`` partners shown without name."""

    firm: dict
    year: int
    edges: pl.DataFrame
    partners: pl.DataFrame
    uses_estimated: bool
    notes: list[str]
    n_anonymised: int


def firm_network(
    analytics: Analytics,
    principal: Principal,
    company_id: str,
    *,
    year: int | None,
    tiers: int = 2,
    top: int = 100,
) -> FirmNetwork:
    """The firm's 花火図 (:func:`chiiki.firms.fireworks.firm_fireworks`: in-region suppliers,
    out-of-region customers, up to ``tiers`` tiers, the ``top`` largest links per side and tier),
    scoped (:func:`scope_fireworks`)."""
    fy, firm = scoped_firm(analytics, principal, company_id, year)
    if tiers not in (1, 2):
        raise AccessDeniedError(f"花火図の階層は 1 または 2 です: {tiers}", status_code=422)
    fw = fireworks_of(analytics, fy.year, company_id, tiers=tiers, top=top)
    fw, hidden = scope_fireworks(fw, entitled(principal, analytics))
    where = fw.nodes.select("company_id", "municipality_code", "prefecture_code")
    kinds = pl.DataFrame(
        [(s, t, k) for (s, t), k in FIREWORK_KINDS.items()], schema=["side", "tier", "kind"], orient="row"
    ).with_columns(pl.col("tier").cast(pl.Int64))
    edges = (
        fw.edges.join(where.rename({"company_id": "supplier_id", "municipality_code": "supplier_municipality",
                                    "prefecture_code": "supplier_prefecture"}), on="supplier_id", how="left")
        .join(where.rename({"company_id": "customer_id", "municipality_code": "customer_municipality",
                            "prefecture_code": "customer_prefecture"}), on="customer_id", how="left")
        .join(kinds, on=["side", "tier"], how="left")
        .with_columns(
            *[pl.when(pl.col(c).is_in(sorted(hidden))).then(None).otherwise(pl.col(c)).alias(c)
              for c in ("supplier_id", "customer_id")],
        )
    )  # fmt: skip
    partner = (
        pl.when(pl.col("side") == "supplier").then(pl.col("supplier_id")).otherwise(pl.col("customer_id"))
    )
    amounts = fw.edges.group_by(partner.alias("company_id"), "side", "tier").agg(
        pl.col("amount").sum(), pl.col("amount_estimated").any()
    )
    partners = (
        fw.nodes.filter(pl.col("side") != "focus")
        .drop("side", "tier")
        .join(amounts, on="company_id", how="inner")
        .join(kinds, on=["side", "tier"], how="left")
        .with_columns(pl.when("anonymised").then(None).otherwise(pl.col("company_id")).alias("company_id"))
        .sort(["side", "tier", "amount"], descending=[True, False, True])
    )
    return FirmNetwork(firm, fy.year, edges, partners, fw.uses_estimated, fw.notes, len(hidden))


SCOPES = ("japan", "block", "prefecture")


def map_codes(scope: str, code: str | None) -> list[str]:
    """The regions a map shows: the 47 prefectures, a block's prefectures or a prefecture's
    municipalities and wards (as its map draws them)."""
    from chiiki.maps.views import prefecture_view  # noqa: PLC0415 - geometry, cached per process

    if scope == "prefecture":
        return [r.code for r in prefecture_view(code).regions]
    if scope == "block":
        return block_prefectures(code)
    return sorted(prefecture_names())


def map_indicator(
    analytics: Analytics, principal: Principal, db: Session, *, scope: str, code: str | None, indicator: str,
    jsic: str | None, year: int | None, min_count: int,
) -> tuple[FirmYear | None, RegionTable]:  # fmt: skip
    """The year's analyses (None without data) and ``indicator`` for the regions of the map of
    ``scope`` (``japan`` / ``block`` / ``prefecture``), suppressed for ``principal``."""
    if scope == "prefecture" and code not in prefecture_names():
        raise AccessDeniedError(
            f"都道府県コード「{code}」はありません。2桁（例: 07）で指定してください。", status_code=404
        )
    if scope == "block" and code not in set(blocks()["block_code"]):
        raise AccessDeniedError(
            f"ブロック「{code}」はありません（{'、'.join(blocks()['name'])}）。", status_code=404
        )
    fy = None
    if analytics.available:
        try:
            fy = analytics.firm_year(year)
        except LookupError as exc:
            raise AccessDeniedError(str(exc), status_code=404) from exc
    level = "municipality" if scope == "prefecture" else "prefecture"
    try:
        rt = region_indicator(
            fy, level=level, indicator=indicator, codes=map_codes(scope, code), visible=entitled(principal, analytics),
            min_count=min_count, jsic=jsic, plans=plan_counts(db, level) if indicator.startswith("plans") else None,
        )  # fmt: skip
    except ValueError as exc:
        raise AccessDeniedError(str(exc), status_code=422) from exc
    return fy, rt


def scoped_prefecture_trend(
    analytics: Analytics, principal: Principal, pref: str, *, min_count: int
) -> tuple[pl.DataFrame, list[str], bool]:
    """The prefecture's trend (:func:`prefecture_trend_of`) with every figure but the firm count
    emptied in the years with fewer than ``min_count`` firms, for a reader not entitled to them;
    the notes and whether anything was suppressed."""
    trend, notes = prefecture_trend_of(analytics, pref)
    small = trend["n_firms"] < min_count
    if not bool(small.any()) or entitled(principal, analytics)(pref):
        return trend, notes, False
    keep = ("fiscal_year", "prefecture_code", "n_firms", "n_firms_change", "n_firms_change_pct")
    trend = trend.with_columns(
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in trend.columns if c not in keep
    )
    return trend, [*notes, f"企業数が{min_count}社未満の年度は、企業数のほかの値を秘匿しています。"], True
