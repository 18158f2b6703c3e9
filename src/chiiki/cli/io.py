"""``chiiki io``: input–output tables, multipliers and 経済波及効果 (SPEC §5; issue #4).

A thin shell: each command parses, calls one core function of :mod:`chiiki.io`, and formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from chiiki.cli import io_regional
from chiiki.cli.io_report import print_read_report
from chiiki.cli.output import console, fail, print_frame, write_frame
from chiiki.io import (
    DEFAULT_C,
    NATIONAL_2015_CREDIT,
    NATIONAL_2015_NAME,
    IOSettings,
    IOTable,
    IOTableError,
    multiplier_frame,
    national_table_2015,
    read_demand,
    read_io_table,
    read_table_with_report,
    ripple,
    table_from_long,
)
from chiiki.io.published import table_limits
from chiiki.io.table import DEFAULT_CONSUMPTION_COLUMN, DEFAULT_INCOME_ROW

app = typer.Typer(
    add_completion=False,
    help=(
        "産業連関表による経済波及効果の分析: 逆行列係数・影響力係数・感応度係数と、"
        "直接効果・第1次間接効果・第2次間接効果の計算（複数シナリオ同時）。"
    ),
    no_args_is_help=True,
)

_TABLE_HELP = (
    "産業連関表のファイル（CSV UTF-8/Shift_JIS・Excel・Parquet）。都道府県や総務省が公表している形式"
    "（表題・単位の行、コード行と名称行、合計の行・列、移輸出・（控除）移輸入 など）のまま読めます。"
    "縦持ち（input_type, input_name, output_type, output_name, value_M）・横持ち（input 列 + 種類/名前 の列）も可。"
)
TableArg = Annotated[Path, typer.Argument(help=_TABLE_HELP, show_default=False)]
OptionalTableArg = Annotated[
    Path | None,
    typer.Argument(
        help=_TABLE_HELP + "省略すると全国表（総務省 平成27年 37部門、百万円）を使います。",
        show_default=False,
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet", help="Excel のシート名（シートが複数あり、表のあるシートが1つに決まらないとき必要）。"
    ),
]
Area = Annotated[
    str | None,
    typer.Option("--area", help="地域別12部門表（R1C1…・Y1… の列）の地域: AreaID（07000）か名前（福島県）。"),
]
Unit = Annotated[
    str | None,
    typer.Option("--unit", help="金額の単位（例: 百万円、万円、千円）。表の単位の記載より優先します。"),
]
ImportsZero = Annotated[
    bool,
    typer.Option(
        "--imports-zero",
        help="輸入（移輸入）の列がない表で、輸入を0とみなすと明示します。これがないと開放型の逆行列と経済波及効果は計算しません。",
    ),
]
IncomeRow = Annotated[str, typer.Option("--income-row", help="雇用者所得の行の名前（部分一致可）。")]
ConsumptionColumn = Annotated[
    str, typer.Option("--consumption-column", help="民間消費支出の列の名前（部分一致可）。")
]
EmploymentRow = Annotated[
    str | None,
    typer.Option("--employment-row", help="就業者数（人）の行の名前。指定すると就業誘発数も計算します。"),
]
Tolerance = Annotated[float, typer.Option("--tolerance", help="行計と列計の差の許容（相対）。")]
Regions = Annotated[
    bool, typer.Option("--regions", help="横持ちの地域間表（ラベルが 種類/地域/名前）として読みます。")
]
Out = Annotated[
    Path | None,
    typer.Option("--out", help="結果の保存先（.csv はExcelで開けるBOM付きUTF-8、.xlsx、.parquet）。"),
]


def _settings(
    income_row: str, consumption_column: str, employment_row: str | None, tolerance: float
) -> IOSettings:
    return IOSettings(
        income_row=income_row,
        consumption_column=consumption_column,
        employment_row=employment_row,
        balance_tolerance=tolerance,
    )


def _load(
    path: Path | None,
    settings: IOSettings,
    *,
    regions: bool = False,
    sheet: str | None = None,
    area: str | None = None,
    unit: str | None = None,
    imports_zero: bool = False,
) -> IOTable:
    """The table of ``path`` (the shipped national table when None, with its credit line printed),
    checked; ``imports_zero`` states missing imports as zero."""
    if path is None:
        table = national_table_2015(settings)
        console.print(f"産業連関表: {NATIONAL_2015_NAME}　{NATIONAL_2015_CREDIT}", soft_wrap=True)
    else:
        table = read_io_table(path, settings=settings, regions=regions, sheet=sheet, area=area, unit=unit)
    if imports_zero:
        if table.imports_known:
            console.print("表に輸入（移輸入）の列があるため、--imports-zero は使わずに表の輸入で計算します。")
        else:
            console.print(
                "輸入（移輸入）の列がない表です。--imports-zero の指定により、輸入を0として計算します。"
            )
        table = table.with_imports_zero()
    return table


def _write(frame: pl.DataFrame, path: Path, *, sheet: str) -> None:
    """Write with the shared writer (enums as their text)."""
    write_frame(frame.with_columns(pl.col(pl.Enum).cast(pl.Utf8)), path, sheet=sheet)


MULTIPLIER_LABELS = {
    "region": "地域",
    "sector": "部門",
    "open_multiplier": "逆行列係数列和（開放型）",
    "closed_multiplier": "逆行列係数列和（閉鎖型）",
    "backward_linkage": "影響力係数",
    "forward_linkage": "感応度係数",
    "import_ratio": "輸入係数",
}


@app.command(name="read")
def read_command(
    table: TableArg,
    sheet: Sheet = None,
    area: Area = None,
    unit: Unit = None,
    income_row: IncomeRow = DEFAULT_INCOME_ROW,
    consumption_column: ConsumptionColumn = DEFAULT_CONSUMPTION_COLUMN,
    employment_row: EmploymentRow = None,
    tolerance: Tolerance = 1e-6,
    regions: Regions = False,
) -> None:
    """産業連関表のファイルを読み、認識した部門・粗付加価値・最終需要・輸出・輸入・合計と、合計の照合結果、
    置けなかった行・列、計算できないことを表示します（表は変更しません）。"""
    settings = _settings(income_row, consumption_column, employment_row, tolerance)
    try:
        _, report = read_table_with_report(
            table, sheet=sheet, area=area, settings=settings, unit=unit, regions=regions
        )
    except IOTableError as exc:
        raise fail(str(exc)) from None
    print_read_report(report)


@app.command()
def multipliers(
    table: OptionalTableArg = None,
    sheet: Sheet = None,
    area: Area = None,
    unit: Unit = None,
    imports_zero: ImportsZero = False,
    out: Out = None,
    income_row: IncomeRow = DEFAULT_INCOME_ROW,
    consumption_column: ConsumptionColumn = DEFAULT_CONSUMPTION_COLUMN,
    employment_row: EmploymentRow = None,
    tolerance: Tolerance = 1e-6,
    regions: Regions = False,
) -> None:
    """部門ごとの逆行列係数の列和（開放型 [I−(I−M̂)A]⁻¹・閉鎖型 (I−A)⁻¹）、影響力係数、感応度係数、輸入係数。

    --out の列: sector, open_multiplier, closed_multiplier, backward_linkage, forward_linkage, import_ratio。
    輸入の列がない表では、--imports-zero がなければ閉鎖型だけを計算します（開放型の列は空）。
    """
    try:
        t = _load(
            table,
            _settings(income_row, consumption_column, employment_row, tolerance),
            regions=regions,
            sheet=sheet,
            area=area,
            unit=unit,
            imports_zero=imports_zero,
        )
        frame = multiplier_frame(t)
    except IOTableError as exc:
        raise fail(str(exc)) from None
    if not t.imports_known:
        console.print(
            "輸入（移輸入）の列がない表のため、開放型の逆行列係数・影響力係数・感応度係数・輸入係数は計算していません"
            "（閉鎖型 (I−A)⁻¹ の列和だけ）。輸入を0とみなせる場合は --imports-zero を付けてください。",
            soft_wrap=True,
        )
    shown = frame.with_columns(pl.col(pl.Float64).round(4)).rename(
        {k: v for k, v in MULTIPLIER_LABELS.items() if k in frame.columns}
    )
    print_frame(shown, title=f"逆行列係数・影響力係数・感応度係数（{t.n} 部門）", limit=500)
    if out is not None:
        _write(frame, out, sheet="逆行列係数")
        console.print(f"保存しました: {out}")


@app.command(name="ripple")
def ripple_command(
    demand: Annotated[
        Path,
        typer.Option(
            "--demand",
            help="需要増加額のファイル。列は sector, value（1シナリオ）または scenario, sector, value（複数）。"
            "地域間表では region 列も。金額は表の単位（通常は百万円）。",
            show_default=False,
        ),
    ],
    table: OptionalTableArg = None,
    c: Annotated[float, typer.Option("--c", help="消費転換係数（0〜1）。")] = DEFAULT_C,
    local_output: Annotated[
        bool,
        typer.Option(
            "--local-output",
            help="需要ではなく域内生産額の増加として扱います（例: 新工場の生産額）。輸入分を差し引きません。",
        ),
    ] = False,
    sheet: Sheet = None,
    area: Area = None,
    unit: Unit = None,
    imports_zero: ImportsZero = False,
    out: Out = None,
    income_row: IncomeRow = DEFAULT_INCOME_ROW,
    consumption_column: ConsumptionColumn = DEFAULT_CONSUMPTION_COLUMN,
    employment_row: EmploymentRow = None,
    tolerance: Tolerance = 1e-6,
    regions: Regions = False,
) -> None:
    """経済波及効果（直接効果・第1次間接効果・第2次間接効果・総合効果）を計算します。

    --out には縦持ちの表（scenario, stage, measure, sector, value; 部門ごとに1行、合計行なし）を保存し、
    画面にはシナリオごとの合計と波及倍率（総合効果の生産誘発額 ÷ 最終需要増加額）を表示します。
    """
    try:
        t = _load(
            table,
            _settings(income_row, consumption_column, employment_row, tolerance),
            regions=regions,
            sheet=sheet,
            area=area,
            unit=unit,
            imports_zero=imports_zero,
        )
    except IOTableError as exc:
        raise fail(str(exc)) from None
    try:
        F, names = read_demand(demand, t)
        result = ripple(t, F, c=c, local_output=local_output, scenarios=names)
    except IOTableError as exc:
        limits = [line for line in table_limits(t) if "経済波及効果" in line]
        raise fail("\n".join([str(exc), *(f"  - {line}" for line in limits)])) from None
    unit = result.unit or "表の単位"
    kind = "域内生産額の増加" if local_output else "最終需要の増加"
    shown = NATIONAL_2015_NAME if table is None else table
    console.print(f"産業連関表: {shown}（{t.n} 部門、単位 {unit}）  {kind}  消費転換係数 c = {c}")
    wide = result.summary.pivot(
        on="stage", index=["scenario", "measure"], values="value", maintain_order=True
    )
    for j, name in enumerate(names):
        rows = wide.filter(pl.col("scenario") == name)
        jobs = "就業誘発数は人、その他は" if t.e is not None else "単位 "
        grid = Table(title=f"シナリオ「{name}」（{jobs}{unit}）")
        grid.add_column("")
        stages = [c for c in rows.columns if c not in ("scenario", "measure")]
        for stage in stages:
            grid.add_column(stage, justify="right")
        for row in rows.iter_rows(named=True):
            grid.add_row(str(row["measure"]), *(f"{row[s]:,.2f}" for s in stages))
        console.print(grid)
        m = result.multipliers.row(j, named=True)
        ratio = "—（需要の合計が0）" if m["ripple_multiplier"] is None else f"{m['ripple_multiplier']:.4f}"
        console.print(
            f"  最終需要増加額 {m['final_demand']:,.2f} {unit} → 生産誘発額 {m['total_production']:,.2f} {unit}、波及倍率 {ratio}"
        )
    if out is not None:
        _write(result.effects, out, sheet="経済波及効果")
        console.print(f"保存しました: {out}（{result.effects.height:,} 行）")


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="デモ表の保存先（縦持ち、value_M = 百万円）。", show_default=False)
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="企業データのフォルダ。省略すると模擬経済を生成します。")
    ] = None,
    prefecture: Annotated[str, typer.Option("--pref", help="都道府県コード（例: 07 = 福島県）。")] = "07",
    year: Annotated[int | None, typer.Option("--year", help="年度（省略時は最新年度）。")] = None,
    firms: Annotated[int, typer.Option("--firms", help="模擬経済の企業数（--data がないとき）。")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="模擬経済の乱数シード。")] = 1,
) -> None:
    """企業データ（または模擬経済）から都道府県のデモ産業連関表（13部門、百万円）を作ります。"""
    from chiiki.io.demo import EMPLOYMENT_ROW, demo_frame

    try:
        with console.status("企業データを読み込み、産業連関表を組み立てています…"):
            if data is None:
                from chiiki.data.synth import generate_economy

                dataset = generate_economy(n_firms=firms, years=(2024,), seed=seed)
            else:
                from chiiki.data import read_dataset

                dataset = read_dataset(data)
            frame = demo_frame(dataset, prefecture=prefecture.zfill(2), fiscal_year=year)
            table = table_from_long(
                frame, settings=IOSettings(employment_row=EMPLOYMENT_ROW), source="デモ表"
            )
    except IOTableError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - data-set errors carry their own Japanese message
        raise fail(f"企業データを読めません: {exc}") from None
    _write(frame, out, sheet="産業連関表")
    console.print(
        f"保存しました: {out}（{table.n} 部門、単位 百万円、就業者数の行「{EMPLOYMENT_ROW}」付きなので"
        "波及効果には就業誘発数も出ます。φ・ψ など最終需要の配分は仮の設定です）"
    )


io_regional.register(app)  # regional tables, circulation and scenario templates: the same group
