"""A priority firm's investment through its real in-region suppliers beside the IO ripple of its
sector (SPEC §3.5, §5; issue #14 item 6).

The firm ripple (:func:`chiiki.firms.ripple.firm_ripple`, 千円) runs an extra output Δ at the firm
through the in-region purchases recorded in the firm data (x = (I − A)⁻¹ f over firms). The IO
ripple runs the same Δ, as the direct output of the firm's sector (the sector its JSIC code maps to
through the shipped concordance), through the chosen table. The share the known network accounts for
is the network's induced output (Σx − Δ) over the IO model's first indirect effect (the
inter-industry effect of the same Δ, without the consumption round): how much of the effect the
model expects is visible as real transactions. Firm-level figures only for users entitled to the
data set (:func:`chiiki.services.access.may_see_firm_figures`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy.orm import Session

from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.ripple import firm_ripple
from chiiki.io import DEFAULT_C, IOTableError, ripple_stages
from chiiki.io.regional.concordance import concordance_for, sector_codes
from chiiki.services.access import AccessDeniedError, Principal, may_see_firm_figures
from chiiki.services.datasets import analytics_for
from chiiki.services.io_tables import LoadedTable, load_table
from chiiki.services.state import AppState
from chiiki.store.errors import InvalidInputError, NotFoundError

THOUSAND_PER_UNIT = {"千円": 1.0, "百万円": 1e3, "十億円": 1e6, "万円": 10.0, "円": 1e-3}


@dataclass(frozen=True)
class FirmAndIO:
    """Both ripples of Δ at one firm, in 百万円: the firm network's direct, induced and total, the IO
    model's stages for the firm's sector, and the share of the IO inter-industry effect the network
    shows (None when the IO effect is 0)."""

    company_id: str
    name: str
    year: int
    sector: str
    amount: float
    network_induced: float
    network_total: float
    network_firms: pl.DataFrame
    io_first_indirect: float
    io_second_indirect: float
    io_total: float
    share: float | None
    loaded: LoadedTable
    notes: list[str]


def firm_sector(table, jsic_code: str) -> int:  # noqa: ANN001 - IOTable
    """The table sector of a JSIC code: the concordance row whose JSIC code is the longest prefix."""
    conc = concordance_for(table)
    code = str(jsic_code or "").strip()
    matches = conc.filter(pl.lit(code).str.starts_with(pl.col("jsic_code")))
    if matches.is_empty():
        raise InvalidInputError(f"業種コード「{code}」に当たる産業連関表の部門がありません。")
    best = matches.with_columns(n=pl.col("jsic_code").str.len_chars()).sort("n", descending=True)
    codes = sector_codes(table)
    for sector in best["sector_code"].to_list():
        if sector in codes:
            return codes.index(sector)
    raise InvalidInputError(
        f"業種コード「{code}」の部門が選んだ表にありません。全国表か推計表を選んでください。"
    )


def firm_and_io(
    state: AppState, db: Session, principal: Principal, *, company_id: str, amount: float,
    table_id: str | None = None, year: int | None = None, c: float = DEFAULT_C,
) -> FirmAndIO:  # fmt: skip
    """Δ ``amount`` (百万円) of extra output at firm ``company_id`` through both models."""
    if not np.isfinite(amount) or amount <= 0:
        raise InvalidInputError("投資（生産の増加）額は0より大きい数値（百万円）で入力してください。")
    analytics = analytics_for(state, db, principal)
    if not analytics.available:
        raise NotFoundError("企業データがありません。データを取り込んでから使ってください。")
    try:
        fy = analytics.firm_year(year)
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc
    row = fy.firms.filter(pl.col("company_id") == company_id)
    if row.is_empty():
        raise NotFoundError(f"企業（{company_id}）は{fy.year}年度のデータにありません。")
    firm = row.row(0, named=True)
    if not may_see_firm_figures(principal, analytics.ref.name, firm["prefecture_code"]):
        raise AccessDeniedError(
            "この企業の企業別の数値を閲覧する権限がありません。担当地域の企業のみ表示できます。"
        )
    if not table_id:  # the firm's prefecture's estimated table: both ripples then stay in the region
        from chiiki.io.regional import DEFAULT_DELTA, DEFAULT_METHOD  # noqa: PLC0415

        table_id = f"regional:{firm['prefecture_code']}:{DEFAULT_METHOD}:{DEFAULT_DELTA:g}"
    loaded = load_table(state, db, principal, table_id, imports_zero=False)
    table = loaded.table
    j = firm_sector(table, firm["jsic_code"])
    per_thousand = THOUSAND_PER_UNIT.get(table.unit)
    if per_thousand is None:
        raise InvalidInputError(f"表の単位「{table.unit}」を千円に換算できません。")
    data = analytics.dataset()
    try:
        net = firm_ripple(data.companies, data.transactions, year=fy.year, firms=company_id,
                          delta=amount * 1e3, top=20)  # fmt: skip
    except FirmAnalysisError as exc:
        raise InvalidInputError(str(exc)) from exc
    demand = np.zeros(table.n)
    demand[j] = amount * 1e3 / per_thousand
    try:
        st = ripple_stages(table, demand, c=c, local_output=True)
    except IOTableError as exc:
        raise InvalidInputError(str(exc)) from exc
    to_million = per_thousand / 1e3
    first, second = float(st.first_indirect.sum()) * to_million, float(st.second_indirect.sum()) * to_million
    induced = net.induced / 1e3
    notes = [
        "企業の波及は企業データに記録された域内（同じ都道府県）の仕入先をたどった生産の増加、"
        "産業連関表の波及は同じ額を企業の部門の域内生産額の増加として計算した値です（百万円）。",
        "割合 = 企業ネットワークで誘発された生産額 ÷ 産業連関表の第1次間接効果（消費による第2次間接効果は含めません）。",
        *net.notes,
    ]
    if net.uses_estimated:
        notes.append("推計された取引額を含む経路があります。")
    return FirmAndIO(
        company_id=company_id, name=str(firm.get("name") or company_id), year=fy.year,
        sector=table.sectors[j], amount=amount, network_induced=induced, network_total=net.total / 1e3,
        network_firms=net.firms.head(20), io_first_indirect=first, io_second_indirect=second,
        io_total=float(st.total.sum()) * to_million, share=(induced / first) if first > 0 else None,
        loaded=loaded, notes=notes,
    )  # fmt: skip
