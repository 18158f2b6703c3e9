"""One fiscal year's firm network with integer codes: the shared first step of SPEC §3.1, §3.4, §3.5.

String ids are mapped to row positions once (a join), so every indicator after this is a
``np.bincount`` or a sparse matrix over integer arrays. Links that cannot be used are counted by
reason in a :class:`LinkReport` (SPEC §3.1: links with an unknown party are left out and counted).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import numpy as np
import polars as pl

from chiiki.data.codes import COMPANY_CODE, CUSTOMER_CODE, SUPPLIER_CODE
from chiiki.data.contract import AMOUNT_ESTIMATED
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.regions import assign_regions

T = TypeVar("T")
R = TypeVar("R")

ESTIMATED_NOTE = "推計値を含む: 取引額の一部は推計値（売上高をもとに取引先へ按分した値）です。推計値に基づく結果は参考値として扱ってください。"


@dataclass(frozen=True)
class LinkReport:
    """How many links of the year were used and how many were left out, by reason."""

    year: int
    n_links: int
    """Rows of ``transactions`` in the year."""
    n_used: int
    """Distinct supplier→customer links used (after merging duplicates)."""
    n_unknown_supplier: int
    n_unknown_customer: int
    n_unknown_both: int
    n_self: int
    n_missing_amount: int
    n_duplicates: int
    """Rows of the input repeating an earlier row's supplier→customer pair (both parties known),
    whatever else is left out of them; the usable ones are merged (amounts summed)."""
    n_estimated: int
    """Used links whose amount is (partly) estimated."""

    @property
    def n_left_out(self) -> int:
        return (
            self.n_unknown_supplier
            + self.n_unknown_customer
            + self.n_unknown_both
            + self.n_self
            + self.n_missing_amount
        )

    @property
    def uses_estimated(self) -> bool:
        return self.n_estimated > 0

    def to_frame(self) -> pl.DataFrame:
        """The report as a table with Japanese reasons (``reason, links``)."""
        rows = [
            ("対象年度の取引", self.n_links),
            ("使用した取引", self.n_used),
            ("除外: 販売側企業が企業データにない", self.n_unknown_supplier),
            ("除外: 購入側企業が企業データにない", self.n_unknown_customer),
            ("除外: 両側の企業が企業データにない", self.n_unknown_both),
            ("除外: 自己取引（販売側と購入側が同じ企業）", self.n_self),
            ("除外: 取引額が欠損（estimate-amounts で推計できます）", self.n_missing_amount),
            ("統合: 重複した取引（金額を合算）", self.n_duplicates),
            ("うち推計取引額を含む取引", self.n_estimated),
        ]
        return pl.DataFrame(rows, schema={"reason": pl.Utf8, "links": pl.Int64}, orient="row")

    @property
    def notes(self) -> list[str]:
        """Japanese sentences for the user: what was left out and why, and whether estimates were used."""
        notes = []
        if self.n_left_out:
            parts = [
                (self.n_unknown_supplier + self.n_unknown_customer + self.n_unknown_both, "取引先不明"),
                (self.n_self, "自己取引"),
                (self.n_missing_amount, "取引額欠損"),
            ]
            detail = "、".join(f"{label} {n:,} 件" for n, label in parts if n)
            notes.append(
                f"{self.year}年度の取引 {self.n_links:,} 件のうち {self.n_left_out:,} 件を"
                f"除外しました（{detail}）。"
            )
        if self.n_duplicates:
            notes.append(
                f"同じ仕入先→販売先の取引が重複している行が {self.n_duplicates:,} 件ありました。"
                "取引額は合算しています。"
            )
        if self.uses_estimated:
            notes.append(ESTIMATED_NOTE)
        return notes


@dataclass(frozen=True, eq=False)
class YearNetwork:
    """Firms of one year (row i = firm code i) and their usable links as integer arrays."""

    year: int
    firms: pl.DataFrame
    """``companies`` rows of the year plus ``region_code`` (null: in no region)."""
    region: np.ndarray
    """int64 region index per firm; -1 where the firm is in no region."""
    region_codes: list[str]
    supplier: np.ndarray
    customer: np.ndarray
    amount: np.ndarray
    """float64 amounts (千円) of the used links."""
    estimated: np.ndarray
    """bool per used link: amount estimated."""
    report: LinkReport
    id_key: np.ndarray | None = None
    """Integers in the order of ``company_id`` per firm (the stored company codes), when known."""

    @property
    def n_firms(self) -> int:
        return self.firms.height

    @cached_property
    def in_region(self) -> np.ndarray:
        """bool per used link: both ends in the same region (SPEC §3.1 r(i) = r(j))."""
        region = self.region
        if region.size and region.max() < (1 << 15):  # indices start at -1
            region = region.astype(np.int16)  # a small table stays in cache for 5 M lookups
        rs, rc = on_both_sides(lambda firm: region[firm], self.supplier, self.customer)
        return (rs == rc) & (rs >= 0)

    @cached_property
    def firm_uses_estimated(self) -> np.ndarray:
        """bool per firm: at least one of its used links (sales or purchases) has an estimated amount."""
        est = self.estimated
        if not est.any():
            return np.zeros(self.n_firms, dtype=bool)
        n = self.n_firms
        return (
            np.bincount(self.supplier[est], minlength=n) + np.bincount(self.customer[est], minlength=n)
        ) > 0

    @cached_property
    def id_order(self) -> np.ndarray:
        """Per firm, a key that sorts like ``company_id`` (ties impossible: ids are unique)."""
        if self.id_key is not None:
            return self.id_key
        ids = self.firms.get_column("company_id")
        if ids.is_sorted():
            return np.arange(ids.len())
        return ids.rank("ordinal").to_numpy()


def on_both_sides(fn: Callable[[T], R], supplier: T, customer: T) -> tuple[R, R]:
    """``(fn(supplier), fn(customer))`` in two threads: the per-link gathers and sums over millions
    of links are memory-bound NumPy loops that release the GIL, so the two sides take the time of
    one on 2 cores."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        s, c = pool.map(fn, (supplier, customer))
    return s, c


def count_duplicates(s: np.ndarray, c: np.ndarray, *, n_firms: int) -> int:
    """Rows repeating an earlier row's (supplier, customer) pair (codes ≥ 0). Exported data is usually
    sorted by supplier and customer; then a strictly increasing pair key proves there are none."""
    key = s * n_firms + c
    if key.size < 2 or bool(np.all(key[1:] > key[:-1])):
        return 0
    return key.size - pl.Series(key).n_unique()


def _merge_duplicates(
    s: np.ndarray, c: np.ndarray, amount: np.ndarray, est: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum the amounts of duplicate supplier→customer rows (one row per pair, in no set order)."""
    merged = (
        pl.DataFrame({"s": s, "c": c, "amount": amount, "est": est})
        .group_by("s", "c")
        .agg(pl.col("amount").sum(), pl.col("est").any())
    )
    return tuple(merged.get_column(k).to_numpy() for k in ("s", "c", "amount", "est"))


def _of_year(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """The rows of fiscal ``year`` (the frame itself, no copy, when every row is of that year)."""
    fy = frame.get_column("fiscal_year")
    if fy.len() and fy.null_count() == 0 and fy.min() == year and fy.max() == year:
        return frame
    return frame.filter(pl.col("fiscal_year") == year)


def _positions_by_id(firms: pl.DataFrame, links: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Firm position of each link's supplier and customer by joining the string ids (-1: unknown)."""
    ids = firms.select(pl.col("company_id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("code"))
    pos = (
        links.lazy()
        .select("supplier_id", "customer_id")
        .join(
            ids.lazy().rename({"company_id": "supplier_id", "code": "s"}),
            on="supplier_id",
            how="left",
            maintain_order="left",
        )
        .join(
            ids.lazy().rename({"company_id": "customer_id", "code": "c"}),
            on="customer_id",
            how="left",
            maintain_order="left",
        )
        .select(pl.col("s").fill_null(-1), pl.col("c").fill_null(-1))
        .collect()
    )
    return pos.get_column("s").to_numpy(), pos.get_column("c").to_numpy()


CODE_CHECK_SAMPLE = 512
"""Links whose string ids are compared with their codes before the coded path is trusted."""
CODE_RANGE_FACTOR = 64
"""Codes above this many times the year's firms are taken as not fitting (the lookup stays small)."""


def _positions_by_code(
    firm_codes: np.ndarray, firms: pl.DataFrame, links: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray] | None:
    """Firm position of each link's supplier and customer from the stored integer codes
    (:mod:`chiiki.data.codes`): one array lookup, no join. Returns None when the codes cannot be
    trusted: a code far beyond the number of firms, or (where the frame also has string ids) a sample of
    links whose ids disagree with their codes, as when frames of different data sets are mixed."""
    sup = links.get_column(SUPPLIER_CODE)
    cus = links.get_column(CUSTOMER_CODE)
    top = max(int(firm_codes.max(initial=0)), int(sup.max() or 0), int(cus.max() or 0))
    if top > max(CODE_RANGE_FACTOR * firm_codes.size, 1 << 20):
        return None  # codes are dense over the data set's companies; far larger ones do not fit
    lookup = np.full(top + 2, -1, dtype=np.int64)  # the last slot stands for a null code
    lookup[firm_codes] = np.arange(firm_codes.size)
    s, c = on_both_sides(
        lambda col: lookup[(col.fill_null(top + 1) if col.null_count() else col).to_numpy()], sup, cus
    )
    if {"supplier_id", "customer_id"} <= set(links.columns) and s.size:
        rows = np.unique(np.linspace(0, s.size - 1, min(s.size, CODE_CHECK_SAMPLE)).astype(np.int64))
        firm_ids = firms.get_column("company_id")
        for pos, id_col in ((s[rows], "supplier_id"), (c[rows], "customer_id")):
            known = pos >= 0
            expected = firm_ids.gather(pos[known])
            actual = links.get_column(id_col).gather(rows[known])
            if not (expected == actual).all():
                return None
    return s, c


def _firm_codes(firms: pl.DataFrame) -> np.ndarray | None:
    """The year's company codes as int64, or None where they are not one small code per firm."""
    codes = firms.get_column(COMPANY_CODE)
    if codes.null_count() or codes.max() > max(CODE_RANGE_FACTOR * codes.len(), 1 << 20):
        return None
    out = codes.cast(pl.Int64).to_numpy()
    return out if out.min() >= 0 and np.bincount(out).max() <= 1 else None


def firm_positions(net: YearNetwork, frame: pl.DataFrame) -> np.ndarray:
    """Row of ``net.firms`` for each row of ``frame`` (a companies frame), −1 where the company is
    not a firm of the network: by the stored company codes where both carry them, else by id."""
    if net.id_key is not None and COMPANY_CODE in frame.columns:
        codes = frame.get_column(COMPANY_CODE)
        top = max(int(net.id_key.max(initial=0)), int(codes.max() or 0))
        if top <= max(CODE_RANGE_FACTOR * net.n_firms, 1 << 20):
            lookup = np.full(top + 2, -1, dtype=np.int64)
            lookup[net.id_key] = np.arange(net.n_firms)
            return lookup[(codes.fill_null(top + 1) if codes.null_count() else codes).to_numpy()]
    ids = net.firms.select("company_id", pl.int_range(pl.len(), dtype=pl.Int64).alias("_pos"))
    return (
        frame.select("company_id")
        .join(ids, on="company_id", how="left", maintain_order="left")
        .get_column("_pos")
        .fill_null(-1)
        .to_numpy()
    )


def _check_unique_ids(firms: pl.DataFrame, year: int) -> None:
    if firms.get_column("company_id").is_duplicated().any():
        dup = firms.filter(pl.col("company_id").is_duplicated()).get_column("company_id").unique().sort()
        raise FirmAnalysisError(
            f"{year}年度の企業データで企業IDが重複しています（{', '.join(dup.head(5).to_list())} など）。"
            "企業IDは年度ごとに一意にしてください。"
        )


def is_coded(companies: pl.DataFrame, transactions: pl.DataFrame) -> bool:
    """Both frames carry the stored integer company codes (:mod:`chiiki.data.codes`)."""
    return COMPANY_CODE in companies.columns and {SUPPLIER_CODE, CUSTOMER_CODE} <= set(transactions.columns)


def build_network(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    year: int,
    level: str = "prefecture",
    regions: pl.DataFrame | None = None,
) -> YearNetwork:
    """Integer-coded network of fiscal ``year`` at region ``level`` (SPEC §3.1).

    Left out, in this order, each link counted once: unknown supplier/customer/both (not among the
    year's companies), self-links, missing amounts. Duplicate pairs are merged (amounts summed);
    the report counts the duplicate rows found in the input (pairs of known parties).

    Links are mapped to firms through the stored integer codes when both frames carry them
    (:mod:`chiiki.data.codes`; ``transactions`` may then lack the string ids), else by joining the
    string ids. Both give the same network.
    """
    firms = _of_year(companies, year)
    if firms.height == 0:
        years = sorted(companies.get_column("fiscal_year").unique().drop_nulls().to_list())
        raise FirmAnalysisError(
            f"{year}年度の企業データがありません。データにある年度: {', '.join(map(str, years)) or 'なし'}。"
            "--year を指定し直してください。"
        )
    firm_codes = _firm_codes(firms) if is_coded(companies, transactions) else None
    if COMPANY_CODE in firms.columns:
        firms = firms.drop(COMPANY_CODE)
    if firm_codes is None:
        _check_unique_ids(firms, year)
    firms = firms.with_columns(assign_regions(firms, level=level, regions=regions).alias("region_code"))
    region_codes = sorted(firms.get_column("region_code").drop_nulls().unique().to_list())
    region = (
        firms.get_column("region_code")
        .replace_strict(region_codes, list(range(len(region_codes))), default=-1, return_dtype=pl.Int64)
        .to_numpy()
    )

    wanted = ["supplier_id", "customer_id", SUPPLIER_CODE, CUSTOMER_CODE, "amount", AMOUNT_ESTIMATED]
    links = _of_year(
        transactions.select("fiscal_year", *(c for c in wanted if c in transactions.columns)), year
    )
    positions = None if firm_codes is None else _positions_by_code(firm_codes, firms, links)
    if positions is None:
        if not {"supplier_id", "customer_id"} <= set(links.columns):
            raise FirmAnalysisError(
                "取引データの企業コードが企業データと一致しません。データを取り込み直してください"
                "（chiiki import）。"
            )
        if firm_codes is not None:
            _check_unique_ids(firms, year)
            firm_codes = None
        positions = _positions_by_id(firms, links)
    s, c = positions
    amount_col = links.get_column("amount")
    missing = amount_col.is_null().to_numpy() if amount_col.null_count() else np.zeros(s.size, dtype=bool)
    amount = amount_col.fill_null(0).to_numpy() if amount_col.null_count() else amount_col.to_numpy()
    if AMOUNT_ESTIMATED in links.columns:
        est = links.get_column(AMOUNT_ESTIMATED).fill_null(False).to_numpy()
    else:
        est = np.zeros(s.size, dtype=bool)
    counts = dict.fromkeys(("sup", "cus", "both", "self", "missing"), 0)
    known_rows = (s >= 0) & (c >= 0)
    both_known = known_rows.all()
    n_duplicates = count_duplicates(
        s if both_known else s[known_rows], c if both_known else c[known_rows], n_firms=firms.height
    )
    left_out = ~known_rows | (s == c) | missing
    if left_out.any():  # count by reason, in the order of the docstring
        s_unknown, c_unknown = s < 0, c < 0
        known = known_rows
        self_link = known & (s == c)
        usable = known & ~self_link
        counts = {
            "sup": np.count_nonzero(s_unknown & ~c_unknown),
            "cus": np.count_nonzero(~s_unknown & c_unknown),
            "both": np.count_nonzero(s_unknown & c_unknown),
            "self": np.count_nonzero(self_link),
            "missing": np.count_nonzero(usable & missing),
        }
        used = ~left_out
        s, c, amount, est = s[used], c[used], amount[used], est[used]
    if n_duplicates and count_duplicates(s, c, n_firms=firms.height):
        s, c, amount, est = _merge_duplicates(s, c, amount, est)
    report = LinkReport(
        year=year,
        n_links=links.height,
        n_used=s.size,
        n_unknown_supplier=int(counts["sup"]),
        n_unknown_customer=int(counts["cus"]),
        n_unknown_both=int(counts["both"]),
        n_self=int(counts["self"]),
        n_missing_amount=int(counts["missing"]),
        n_duplicates=int(n_duplicates),
        n_estimated=int(np.count_nonzero(est)),
    )
    return YearNetwork(
        year=year,
        firms=firms,
        region=region,
        region_codes=region_codes,
        supplier=s,
        customer=c,
        amount=amount.astype(np.float64),
        estimated=est.astype(bool),
        report=report,
        id_key=firm_codes,
    )
