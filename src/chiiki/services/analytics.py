"""The analyses of the data sets a process serves, as pages and the API read them.

Computing connector and hub degrees (SPEC §3.1) and scores over a national data set takes seconds;
filtering a computed table takes milliseconds. The computing happens once per data-set version, for
all processes (:mod:`chiiki.services.analysis_files`); here each process memory-maps the result and
keeps per-prefecture slices, so every request filters, sorts and slices Polars frames.

Nothing here reimplements an indicator. The only numbers made here are display aids: the top-p %
cut values drawn as lines on the scatter plot.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chiiki.data import Dataset, read_dataset
from chiiki.data.years import load_dataset
from chiiki.firms.scores import DEFAULT_WEIGHTS, INDICATOR_LABELS, INDICATORS
from chiiki.services.analysis_files import (
    build_analyses,
    load_firms,
    load_industry,
    load_links,
    read_manifest,
)

NO_DATA = (
    "企業データが登録されていません。「データ」ページからアップロードするか、管理者に登録を依頼してください。"
)

RANKING_SORTS = {
    "connector_degree": "コネクター度",
    "hub_degree": "ハブ度",
    "score": "総合スコア",
    "sales": "売上高",
    "employees": "従業者数",
    "out_sales": "域外販売額",
    "in_purchases": "域内仕入額",
    "name": "企業名",
}


@dataclass(frozen=True)
class DatasetRef:
    """Which data set is current: its id in the store (None for an unregistered directory) and the
    data set's name, which says whose licence its firm figures fall under (SPEC §0)."""

    id: int | None
    label: str
    path: Path
    name: str = "default"


@dataclass(frozen=True)
class FirmYear:
    """Firm indicators of one data set and year, ready for filtering."""

    year: int
    firms: pl.DataFrame
    """One row per firm: attributes (prefecture, municipality, JSIC, sales, employees, profit) and
    the connector/hub columns of :func:`chiiki.firms.connector_hub.connector_hub`, plus the six
    indicators of SPEC §3.2 with their 偏差値 (``*_score``), ``score`` and ``score_rank``."""
    notes: tuple[str, ...]
    uses_estimated: bool
    by_region: dict[str, pl.DataFrame] = field(default_factory=dict)
    """``firms`` split by prefecture once, so a request never scans the national table."""
    memo: dict = field(default_factory=dict)
    """Per-year memo of derived display objects (e.g. a prefecture's scatter plot)."""

    def region(self, prefecture_code: str) -> pl.DataFrame:
        """The firms of one prefecture (empty frame when none)."""
        return self.by_region.get(prefecture_code, self.firms.head(0))

    def ranking_page(
        self,
        prefecture_code: str,
        *,
        sort: str,
        descending: bool,
        page: int,
        per_page: int,
        **filters: str | float | None,
    ) -> tuple[pl.DataFrame, int]:
        """One page of a prefecture's ranking with the :func:`filter_firms` ``filters``. The
        unfiltered ranking, which nearly every request asks for, is sliced from an ordering computed
        once per (prefecture, column, direction); a filtered one is filtered and sorted afresh."""
        region = self.region(prefecture_code)
        if any(v for v in filters.values()):
            firms = filter_firms(region, **filters)
            return sort_page(firms, sort=sort, descending=descending, page=page, per_page=per_page)
        key = ("order", prefecture_code, sort, descending)
        order = self.memo.get(key)
        if order is None:
            order = self.memo[key] = ranking_order(region, sort=sort, descending=descending)
        start = max(page - 1, 0) * per_page
        return region[order.slice(start, per_page)], region.height


@dataclass(eq=False)
class Analytics:
    """One data-set version's analyses in this process, by year. Thread-safe; built once per
    version for every process, mapped once per process."""

    ref: DatasetRef | None = None
    _dataset: Dataset | None = None
    _years: dict[int, FirmYear] = field(default_factory=dict)
    _links: dict[int, tuple[pl.DataFrame, pl.DataFrame]] = field(default_factory=dict)
    _manifest: dict | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)
    industry: IndustryCache = field(init=False)
    """Region × industry matrix and IO tables of this data set."""

    def __post_init__(self) -> None:
        self.industry = IndustryCache(self)

    @property
    def available(self) -> bool:
        return self.ref is not None

    def dataset(self, years: list[int] | None = None) -> Dataset:
        """The firm data of this version: with ``years`` only those fiscal years (read afresh, not
        kept: issue #15 §5), else the whole data set (kept for the process)."""
        if years is not None:
            if self.ref is None:
                raise LookupError(NO_DATA)
            return load_dataset(self.ref.path, company_years=years, link_years=years)
        with self._lock:
            if self._dataset is None:
                if self.ref is None:
                    raise LookupError(NO_DATA)
                self._dataset = read_dataset(self.ref.path)
            return self._dataset

    def built(self) -> dict:
        """The manifest of this version's analyses, building them first if no process has
        (:mod:`chiiki.services.analysis_files`)."""
        with self._lock:
            if self._manifest is None:
                if self.ref is None:
                    raise LookupError(NO_DATA)
                self._manifest = read_manifest(self.ref.path) or build_analyses(self.ref.path)
            return self._manifest

    def years(self) -> list[int]:
        """Fiscal years of the data set (every request asks)."""
        return sorted(int(y) for y in self.built()["years"])

    def resolve_year(self, year: int | None) -> int:
        years = self.years()
        if year is None:
            return years[-1]
        if year not in years:
            raise LookupError(
                f"{year}年度のデータはありません。データにある年度: {', '.join(map(str, years))}。"
            )
        return year

    def firm_year(self, year: int | None = None) -> FirmYear:
        """The year's firm indicators, memory-mapped from the version's analyses."""
        y = self.resolve_year(year)
        with self._lock:
            if y not in self._years:
                info = self.built()["years"][str(y)]
                firms = load_firms(self.ref.path, y)
                by_region = {code: firms.slice(start, n) for code, (start, n) in info["regions"].items()}
                self._years[y] = FirmYear(y, firms, tuple(info["notes"]), info["uses_estimated"], by_region)
            return self._years[y]

    def links(self, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The year's transactions sorted by supplier and by customer (for fast lookups)."""
        with self._lock:
            if year not in self._links:
                self.built()
                self._links[year] = load_links(self.ref.path, year)
            return self._links[year]


def top_share_cuts(firms: pl.DataFrame, *, top_percent: float) -> tuple[float | None, float | None]:
    """Degree values above which a firm is in the top ``top_percent`` % of its region (display aid
    for the scatter: the lines of the "both degrees in the top p %" rule, SPEC §3.2)."""
    if firms.height == 0:
        return None, None
    q = 1.0 - top_percent / 100.0
    row = firms.select(
        pl.col("connector_degree").quantile(q, "higher"), pl.col("hub_degree").quantile(q, "higher")
    ).row(0)
    return row[0], row[1]


def filter_firms(
    firms: pl.DataFrame,
    *,
    prefecture_code: str | None = None,
    municipality_code: str | None = None,
    jsic_code: str | None = None,
    query: str | None = None,
    connector_hub_top_percent: float | None = None,
) -> pl.DataFrame:
    """The firms matching every given filter (pure)."""
    preds = []
    if prefecture_code:
        preds.append(pl.col("region_code") == prefecture_code)
    if municipality_code:
        preds.append(pl.col("municipality_code") == municipality_code)
    if jsic_code:
        preds.append(pl.col("jsic_code") == jsic_code)
    if query:
        preds.append(pl.col("name").str.contains(query, literal=True) | (pl.col("company_id") == query))
    out = firms.filter(*preds) if preds else firms
    if connector_hub_top_percent:
        cx, cy = top_share_cuts(out, top_percent=connector_hub_top_percent)
        if cx is None or cy is None:
            return out.head(0)
        out = out.filter(
            (pl.col("connector_degree") >= cx)
            & (pl.col("hub_degree") >= cy)
            & (pl.col("connector_degree") > 0)
        )
    return out


def ranking_order(firms: pl.DataFrame, *, sort: str, descending: bool) -> pl.Series:
    """Row positions of ``firms`` in ranking order: ``sort`` (nulls last), ties by company id."""
    if sort not in RANKING_SORTS:
        raise ValueError(f"並べ替えの列 {sort} はありません。{', '.join(RANKING_SORTS)} のいずれかです。")
    return firms.select(
        pl.arg_sort_by([sort, "company_id"], descending=[descending, False], nulls_last=True)
    ).to_series()


def sort_page(
    firms: pl.DataFrame,
    *,
    sort: str = "connector_degree",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> tuple[pl.DataFrame, int]:
    """One page of ``firms`` sorted by ``sort`` (ties by company id) and the total row count."""
    if sort not in RANKING_SORTS:
        raise ValueError(f"並べ替えの列 {sort} はありません。{', '.join(RANKING_SORTS)} のいずれかです。")
    total = firms.height
    start = max(page - 1, 0) * per_page
    if sort == "name" or not descending:
        ordered = firms.sort([sort, "company_id"], descending=[descending, False], nulls_last=True)
        return ordered.slice(start, per_page), total
    # top-k is much cheaper than a full sort for the first pages of a large table
    k = min(start + per_page, total)
    if k <= start:
        return firms.head(0), total
    ordered = firms.top_k(k, by=[sort, "company_id"], reverse=[False, True])
    ordered = ordered.sort([sort, "company_id"], descending=[True, False], nulls_last=True)
    return ordered.slice(start, per_page), total


def _rows_for(sorted_links: pl.DataFrame, column: str, company_id: str) -> pl.DataFrame:
    """Rows of ``sorted_links`` (sorted by ``column``) whose ``column`` equals ``company_id``:
    a binary search, not a scan."""
    s = sorted_links.get_column(column)
    lo = s.search_sorted(company_id, side="left")
    hi = s.search_sorted(company_id, side="right")
    return sorted_links.slice(lo, hi - lo)


@dataclass(frozen=True)
class FirmDetail:
    firm: dict
    in_region_suppliers: pl.DataFrame
    """``company_id, name, prefecture_code, municipality_code, amount[, amount_estimated]``, largest first."""
    out_of_region_customers: pl.DataFrame


def firm_detail(
    firm_year: FirmYear, links: tuple[pl.DataFrame, pl.DataFrame], company_id: str
) -> FirmDetail | None:
    """A firm's indicators, its in-region suppliers and its out-of-region customers with amounts
    (SPEC §3.1: in-region means the same prefecture). None when the firm is not in the year."""
    firms = firm_year.firms
    row = firms.filter(pl.col("company_id") == company_id)
    if row.height == 0:
        return None
    firm = row.row(0, named=True)
    by_supplier, by_customer = links
    partner_cols = firms.select("company_id", "name", "prefecture_code", "municipality_code")
    extra = ["amount_estimated"] if "amount_estimated" in by_supplier.columns else []

    def partners(frame: pl.DataFrame, key: str, same_region: bool) -> pl.DataFrame:
        p = (
            frame.select(pl.col(key).alias("company_id"), "amount", *extra)
            .group_by("company_id")
            .agg(pl.col("amount").sum(), *[pl.col(c).any() for c in extra])
            .join(partner_cols, on="company_id", how="inner")
        )
        cond = pl.col("prefecture_code") == firm["prefecture_code"]
        return p.filter(cond if same_region else ~cond).sort(
            ["amount", "company_id"], descending=[True, False], nulls_last=True
        )

    suppliers = partners(_rows_for(by_customer, "customer_id", company_id), "supplier_id", True)
    customers = partners(_rows_for(by_supplier, "supplier_id", company_id), "customer_id", False)
    return FirmDetail(firm, suppliers, customers)


@dataclass(eq=False)
class IndustryCache:
    """Region × industry frame from one data set's firm data (aggregates, SPEC §4) and demo IO tables
    (SPEC §5), built on first use."""

    analytics: Analytics
    _matrix: pl.DataFrame | None = None
    _io: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def memo(self) -> dict:
        """A dict for derived display objects of this data set."""
        return self._memo

    def matrix(self) -> pl.DataFrame:
        with self._lock:
            if self._matrix is None:
                self.analytics.built()
                self._matrix = load_industry(self.analytics.ref.path)
            return self._matrix

    def io_table(self, prefecture: str, *, path: Path | None = None):  # noqa: ANN201
        """The IO table for ``prefecture``: the file at ``path`` when configured, else the demo table
        built from the firm data (:func:`chiiki.io.demo.demo_table`)."""
        from chiiki.io import read_io_table  # noqa: PLC0415
        from chiiki.io.demo import demo_table  # noqa: PLC0415

        with self._lock:
            key = ("file", str(path)) if path else ("demo", prefecture)
            if key not in self._io:
                self._io[key] = (
                    read_io_table(path)
                    if path
                    else demo_table(self.analytics.dataset(), prefecture=prefecture)
                )
            return self._io[key]


@dataclass
class AnalyticsRegistry:
    """The analytics of every data set a worker serves: which one is current for a list of data-set
    names (looked up in the store at most every ``max_age_s``), and an :class:`Analytics` per data
    set, the ``max_datasets`` most recently used kept in memory."""

    max_datasets: int = 3
    _current: dict[tuple[str, ...], tuple[float, DatasetRef | None]] = field(default_factory=dict)
    _by_ref: OrderedDict[DatasetRef, Analytics] = field(default_factory=OrderedDict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def current(
        self, names: tuple[str, ...], lookup: Callable[[], DatasetRef | None], *, max_age_s: float
    ) -> Analytics:
        """The analytics of the current data set among ``names`` (``lookup`` asks the store): every
        analytics request needs the answer, and it changes only on an import."""
        now = time.monotonic()
        with self._lock:
            hit = self._current.get(names)
        if hit is None or now - hit[0] >= max_age_s:
            ref = lookup()
            with self._lock:
                self._current[names] = (now, ref)
        else:
            ref = hit[1]
        return self.for_ref(ref)

    def for_ref(self, ref: DatasetRef | None) -> Analytics:
        if ref is None:
            return Analytics(None)
        with self._lock:
            analytics = self._by_ref.get(ref)
            if analytics is None:
                analytics = self._by_ref[ref] = Analytics(ref)
                while len(self._by_ref) > self.max_datasets:
                    self._by_ref.popitem(last=False)
            self._by_ref.move_to_end(ref)
            return analytics

    def expire(self) -> None:
        """Forget which data sets are current (after an import in this worker)."""
        with self._lock:
            self._current.clear()


def score_breakdown(firm: dict, weights: dict[str, float] = DEFAULT_WEIGHTS) -> list[dict]:
    """The six indicators of SPEC §3.2 for one firm row of :class:`FirmYear`: label, raw value,
    偏差値 and the weight it carries in ``score`` (rescaled over the indicators that exist)."""
    present = sum(weights[k] for k in INDICATORS if firm.get(f"{k}_score") is not None)
    return [
        {"code": k, "label": INDICATOR_LABELS[k], "value": firm.get(k), "score": firm.get(f"{k}_score"),
         "weight": weights[k] / present if present and firm.get(f"{k}_score") is not None else None}
        for k in INDICATORS
    ]  # fmt: skip
