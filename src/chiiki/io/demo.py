"""A demo prefectural input–output table built from a firm data set (issue #4 item 6; SPEC §2, §5).

The table is consistent with the firms it comes from (e.g. the synthetic economy of
:func:`chiiki.data.synth.generate_economy`), in 百万円, with 13 sectors grouped from JSIC 大分類 as
in Japan's 13-sector table (so a demand file written for the national table also works here).
For prefecture P and fiscal year y, per sector i (amounts converted from 千円 to 百万円):

- Z_ij = Σ amounts of links from sector-i suppliers (anywhere) to sector-j customers in P
  (competitive-import convention: inputs bought from outside P are in Z and deducted as imports);
- intermediate exports (移出) = links from P's sector-i firms to customers outside P, intermediate
  imports = links from outside suppliers of sector i to customers in P;
- output X_i = max(sales of P's sector-i firms, in-P + out-of-P link sales,
  Σ_k Z_ki + payroll_i + max(operating profit_i, 0));
- the rest R_i = X_i − in-P link sales − intermediate exports goes to final demand: a share φ_i
  stays in P (split over 民間消費支出 / 一般政府消費支出 / 総固定資本形成), the rest is exported;
  P's final demand also buys ψ_i·φ_i·R_i of imports of sector i;
- value added = X_j − Σ_i Z_ij: 雇用者所得 = payroll, 営業余剰 = operating profit (capped), the rest
  その他の粗付加価値; an employment row (従業者数, persons) from the firms' employees.

Rows and columns balance exactly by construction. Inputs from sectors with no firm in P are left out
(their value stays in value added), and so are sectors with no output. φ and ψ below are plausible
settings, not estimates; say so when the demo table is shown.
"""

from __future__ import annotations

import polars as pl

from chiiki.data.contract import Dataset
from chiiki.io.readers import table_from_long
from chiiki.io.table import IOSettings, IOTable

SECTOR_OF_MAJOR = {
    "A": "01_農林水産業",
    "B": "01_農林水産業",
    "C": "02_鉱業",
    "E": "03_製造業",
    "D": "04_建設",
    "F": "05_電力・ガス・水道",
    "I": "06_商業",
    "J": "07_金融・保険",
    "K": "08_不動産",
    "H": "09_運輸・郵便",
    "G": "10_情報通信",
    "S": "11_公務",
    **{m: "12_サービス" for m in "LMNOPQR"},
    "T": "13_分類不明",
}
"""JSIC 大分類 → the 13-sector grouping of Japan's national table."""

FINAL_DEMAND = ("民間消費支出", "一般政府消費支出", "総固定資本形成")

# sector: (φ local share of final sales, ψ import share of local final demand, split over FINAL_DEMAND)
SECTOR_DEMAND: dict[str, tuple[float, float, tuple[float, float, float]]] = {
    "01_農林水産業": (0.5, 0.3, (0.9, 0.0, 0.1)),
    "02_鉱業": (0.2, 0.8, (0.5, 0.0, 0.5)),
    "03_製造業": (0.3, 0.6, (0.6, 0.0, 0.4)),
    "04_建設": (0.95, 0.0, (0.0, 0.0, 1.0)),
    "05_電力・ガス・水道": (0.9, 0.05, (1.0, 0.0, 0.0)),
    "06_商業": (0.8, 0.1, (0.9, 0.0, 0.1)),
    "07_金融・保険": (0.8, 0.1, (1.0, 0.0, 0.0)),
    "08_不動産": (0.95, 0.0, (1.0, 0.0, 0.0)),
    "09_運輸・郵便": (0.6, 0.1, (1.0, 0.0, 0.0)),
    "10_情報通信": (0.6, 0.2, (0.8, 0.0, 0.2)),
    "11_公務": (1.0, 0.0, (0.0, 1.0, 0.0)),
    "12_サービス": (0.85, 0.05, (0.7, 0.3, 0.0)),
    "13_分類不明": (0.5, 0.2, (1.0, 0.0, 0.0)),
}

EMPLOYMENT_ROW = "従業者数"


def _sector_map() -> pl.DataFrame:
    from chiiki.reference import jsic

    return jsic("middle").select(
        jsic_code=pl.col("code"),
        sector=pl.col("major_code").replace_strict(SECTOR_OF_MAJOR, default="13_分類不明"),
    )


def demo_frame(dataset: Dataset, *, prefecture: str = "07", fiscal_year: int | None = None) -> pl.DataFrame:
    """The demo table of ``prefecture`` (default 07 福島県) in the long form of SPEC §5 (``value_M``).

    ``fiscal_year`` defaults to the data set's latest year. Links without an amount are left out.
    """
    year = max(dataset.years) if fiscal_year is None else fiscal_year
    firms = (
        dataset.companies.filter(pl.col("fiscal_year") == year)
        .join(_sector_map(), on="jsic_code", how="left")
        .with_columns(pl.col("sector").fill_null("13_分類不明"))
    )
    local = firms.filter(pl.col("prefecture_code") == prefecture)
    if local.height == 0:
        from chiiki.io.errors import IOTableError

        raise IOTableError(f"都道府県コード {prefecture} の {year} 年度の企業がデータにありません。")
    parties = firms.select("company_id", "prefecture_code", "sector")
    links = (
        dataset.transactions.filter((pl.col("fiscal_year") == year) & pl.col("amount").is_not_null())
        .join(parties.rename(lambda c: f"s_{c}"), left_on="supplier_id", right_on="s_company_id")
        .join(parties.rename(lambda c: f"c_{c}"), left_on="customer_id", right_on="c_company_id")
        .with_columns(
            s_in=pl.col("s_prefecture_code") == prefecture,
            c_in=pl.col("c_prefecture_code") == prefecture,
            amount=pl.col("amount").cast(pl.Float64) / 1000.0,
        )
    )
    sectors = local.group_by("sector").agg(
        sales=pl.col("sales").sum() / 1000.0,
        payroll=pl.col("payroll").fill_null(0).sum() / 1000.0,
        profit=pl.col("operating_profit").fill_null(0).sum() / 1000.0,
        employees=pl.col("employees").fill_null(0).sum().cast(pl.Float64),
    )
    names = sectors["sector"].to_list()
    Z = (
        links.filter(pl.col("c_in") & pl.col("s_sector").is_in(names) & pl.col("c_sector").is_in(names))
        .group_by("s_sector", "c_sector")
        .agg(value=pl.col("amount").sum())
    )

    def by_supplier(mask: pl.Expr, name: str) -> pl.DataFrame:
        return links.filter(mask).group_by(sector="s_sector").agg(pl.col("amount").sum().alias(name))

    params = pl.DataFrame(
        {
            "sector": list(SECTOR_DEMAND),
            "phi": [p[0] for p in SECTOR_DEMAND.values()],
            "psi": [p[1] for p in SECTOR_DEMAND.values()],
            **{f"share_{i}": [p[2][i] for p in SECTOR_DEMAND.values()] for i in range(len(FINAL_DEMAND))},
        }
    )
    purchases = Z.group_by(sector="c_sector").agg(inputs=pl.col("value").sum())
    sec = (
        sectors.join(by_supplier(pl.col("s_in") & pl.col("c_in"), "local_sales"), on="sector", how="left")
        .join(by_supplier(pl.col("s_in") & ~pl.col("c_in"), "link_exports"), on="sector", how="left")
        .join(by_supplier(~pl.col("s_in") & pl.col("c_in"), "link_imports"), on="sector", how="left")
        .join(purchases, on="sector", how="left")
        .join(params, on="sector", how="left")
        .fill_null(0.0)
        .with_columns(
            X=pl.max_horizontal(
                "sales",
                pl.col("local_sales") + pl.col("link_exports"),
                pl.col("inputs") + pl.col("payroll") + pl.col("profit").clip(lower_bound=0.0),
            )
        )
        .filter(pl.col("X") > 0)
        .with_columns(rest=pl.col("X") - pl.col("local_sales") - pl.col("link_exports"))
        .with_columns(local_final=pl.col("phi") * pl.col("rest"))
        .with_columns(
            imported_final=pl.col("psi") * pl.col("local_final"),
            va=pl.col("X") - pl.col("inputs"),
        )
        .with_columns(surplus=pl.min_horizontal("profit", pl.col("va") - pl.col("payroll")))
        .sort("sector")
    )
    cells = [
        ("industry", "export", "移輸出", pl.col("link_exports") + pl.col("rest") - pl.col("local_final")),
        ("industry", "import", "（控除）移輸入", -(pl.col("link_imports") + pl.col("imported_final"))),
        *(
            (
                "industry",
                "finaldemand",
                name,
                (pl.col("local_final") + pl.col("imported_final")) * pl.col(f"share_{i}"),
            )
            for i, name in enumerate(FINAL_DEMAND)
        ),
        ("valueadded", "industry", "雇用者所得", pl.col("payroll")),
        ("valueadded", "industry", "営業余剰", pl.col("surplus")),
        (
            "valueadded",
            "industry",
            "その他の粗付加価値",
            pl.col("va") - pl.col("payroll") - pl.col("surplus"),
        ),
        ("employment", "industry", EMPLOYMENT_ROW, pl.col("employees")),
    ]
    pieces = [
        Z.select(
            input_type=pl.lit("industry"),
            input_name="s_sector",
            output_type=pl.lit("industry"),
            output_name="c_sector",
            value_M="value",
        ).filter(
            pl.col("input_name").is_in(sec["sector"].to_list())
            & pl.col("output_name").is_in(sec["sector"].to_list())
        )
    ]
    for row_type, col_type, name, expr in cells:
        is_row = row_type != "industry"
        pieces.append(
            sec.select(
                input_type=pl.lit(row_type),
                input_name=pl.lit(name) if is_row else pl.col("sector"),
                output_type=pl.lit(col_type),
                output_name=pl.col("sector") if is_row else pl.lit(name),
                value_M=expr,
            )
        )
    order = {s: i for i, s in enumerate(sec["sector"])}
    return pl.concat(pieces).sort(
        pl.col("output_type").replace_strict({"industry": 0, "finaldemand": 1, "export": 2, "import": 3}),
        pl.col("output_name").replace_strict(order, default=len(order)),
        pl.col("input_type").replace_strict({"industry": 0, "valueadded": 1, "employment": 2}),
        pl.col("input_name").replace_strict(order, default=len(order)),
        maintain_order=True,
    )


def demo_table(dataset: Dataset, *, prefecture: str = "07", fiscal_year: int | None = None) -> IOTable:
    """The demo table of :func:`demo_frame` as a checked :class:`IOTable` with its employment row."""
    frame = demo_frame(dataset, prefecture=prefecture, fiscal_year=fiscal_year)
    return table_from_long(
        frame, settings=IOSettings(employment_row=EMPLOYMENT_ROW), source=f"デモ表（都道府県 {prefecture}）"
    )
