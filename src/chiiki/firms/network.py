"""One fiscal year's firm network with integer codes: the shared first step of SPEC §3.1, §3.4, §3.5.

String ids are mapped to row positions once (a join), so every indicator after this is a
``np.bincount`` or a sparse matrix over integer arrays. Links that cannot be used are counted by
reason in a :class:`LinkReport` (SPEC §3.1: links with an unknown party are left out and counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from chiiki.data.contract import AMOUNT_ESTIMATED
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.regions import assign_regions

ESTIMATED_NOTE = (
    "推計値を含む: 取引額の一部は推計値（SPEC §3.3）です。推計値に基づく結果は参考値として扱ってください。"
)


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
    """Rows merged into another row of the same supplier→customer pair (amounts summed)."""
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
            notes.append(f"重複した取引 {self.n_duplicates:,} 件は金額を合算しました。")
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

    @property
    def n_firms(self) -> int:
        return self.firms.height

    @cached_property
    def in_region(self) -> np.ndarray:
        """bool per used link: both ends in the same region (SPEC §3.1 r(i) = r(j))."""
        rs = self.region[self.supplier]
        return (rs == self.region[self.customer]) & (rs >= 0)


def _merge_duplicates(used: pl.DataFrame, *, n_firms: int) -> pl.DataFrame:
    """Sum duplicate supplier→customer rows. Exported data is usually sorted by supplier and
    customer; then a strictly increasing pair key proves there are none and the grouping is skipped."""
    key = used.get_column("s").to_numpy() * n_firms + used.get_column("c").to_numpy()
    if key.size < 2 or bool(np.all(key[1:] > key[:-1])):
        return used
    return used.group_by("s", "c").agg(pl.col("amount").sum(), pl.col("est").any())


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
    year's companies), self-links, missing amounts. Duplicate pairs are merged (amounts summed).
    """
    firms = companies.filter(pl.col("fiscal_year") == year)
    if firms.height == 0:
        years = sorted(companies.get_column("fiscal_year").unique().drop_nulls().to_list())
        raise FirmAnalysisError(
            f"{year}年度の企業データがありません。データにある年度: {', '.join(map(str, years)) or 'なし'}。"
            "--year を指定し直してください。"
        )
    if firms.get_column("company_id").is_duplicated().any():
        dup = firms.filter(pl.col("company_id").is_duplicated()).get_column("company_id").unique().sort()
        raise FirmAnalysisError(
            f"{year}年度の企業データで企業IDが重複しています（{', '.join(dup.head(5).to_list())} など）。"
            "企業IDは年度ごとに一意にしてください。"
        )
    firms = firms.with_columns(assign_regions(firms, level=level, regions=regions).alias("region_code"))
    region_codes = sorted(firms.get_column("region_code").drop_nulls().unique().to_list())
    region = (
        firms.get_column("region_code")
        .replace_strict(region_codes, list(range(len(region_codes))), default=-1, return_dtype=pl.Int64)
        .to_numpy()
    )

    ids = firms.select(pl.col("company_id"), pl.int_range(pl.len(), dtype=pl.Int64).alias("code"))
    est = pl.col(AMOUNT_ESTIMATED) if AMOUNT_ESTIMATED in transactions.columns else pl.lit(False)
    links = (
        transactions.lazy()
        .filter(pl.col("fiscal_year") == year)
        .select("supplier_id", "customer_id", "amount", est.fill_null(False).alias("est"))
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
        .select("s", "c", "amount", "est")
        .collect()
    )
    s_null, c_null = pl.col("s").is_null(), pl.col("c").is_null()
    known = ~s_null & ~c_null
    counts = links.select(
        (s_null & ~c_null).sum().alias("sup"),
        (~s_null & c_null).sum().alias("cus"),
        (s_null & c_null).sum().alias("both"),
        (known & (pl.col("s") == pl.col("c"))).sum().alias("self"),
        (known & (pl.col("s") != pl.col("c")) & pl.col("amount").is_null()).sum().alias("missing"),
    ).row(0, named=True)
    used = links.filter(known & (pl.col("s") != pl.col("c")) & pl.col("amount").is_not_null())
    n_rows = used.height
    merged = _merge_duplicates(used, n_firms=firms.height)
    report = LinkReport(
        year=year,
        n_links=links.height,
        n_used=merged.height,
        n_unknown_supplier=counts["sup"],
        n_unknown_customer=counts["cus"],
        n_unknown_both=counts["both"],
        n_self=counts["self"],
        n_missing_amount=counts["missing"],
        n_duplicates=n_rows - merged.height,
        n_estimated=int(merged.get_column("est").sum()),
    )
    return YearNetwork(
        year=year,
        firms=firms,
        region=region,
        region_codes=region_codes,
        supplier=merged.get_column("s").to_numpy(),
        customer=merged.get_column("c").to_numpy(),
        amount=merged.get_column("amount").cast(pl.Float64).to_numpy(),
        estimated=merged.get_column("est").to_numpy(),
        report=report,
    )
