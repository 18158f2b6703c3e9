"""``chiiki io regionalize / circulation / scenarios``: regional tables, 地域経済循環, templates with
ranges, the regional report (SPEC §7; issue 14 items 1–5, 7). A thin shell over :mod:`chiiki.io.regional`,
:mod:`chiiki.io.circulation`, :mod:`chiiki.io.templates`, :mod:`chiiki.io.ranges` and
:mod:`chiiki.io.jobs`; registered onto the ``chiiki io`` group by :func:`register`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from chiiki.cli.output import console, err_console, fail, print_frame, write_frame, write_frames
from chiiki.io import IOTableError, read_io_table
from chiiki.io.regional import (
    DEFAULT_BASIS,
    DEFAULT_DELTA,
    DEFAULT_METHOD,
    RegionalSettings,
    RegionalTable,
    employment_basis,
    region_population_share,
    regionalize,
    resolve_region,
    sector_employment,
)
from chiiki.io.ripple import DEFAULT_C
from chiiki.io.table import IOTable

Out = Annotated[
    Path | None,
    typer.Option("--out", help="保存先（.csv はBOM付きUTF-8、.xlsx、.parquet）。"),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="地域: 都道府県コード（07）、市区町村コード（07201）、ブロック（tohoku / 東北）。"
        "--municipalities を付けたときはその地域の名前。",
    ),
]
MunicipalitiesOpt = Annotated[
    str | None,
    typer.Option(
        "--municipalities", help="独自地域を作る市区町村コードの一覧（カンマ区切り、例: 07201,07203）。"
    ),
]
NationalOpt = Annotated[
    Path | None,
    typer.Option(
        "--national",
        help="地域化のもとにする全国（または上位地域）の産業連関表。省略時は同梱の全国2015年表（37部門、総務省）。"
        "37・185部門の表には同梱の部門–JSIC対応表を使います。",
    ),
]
CensusOpt = Annotated[
    Path | None,
    typer.Option(
        "--census",
        help="経済センサスの表（regional_census_2012_2014.csv 形式）。都道府県・ブロックの推計に使用。",
    ),
]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help="企業データのフォルダ（従業者数のあるもの）。市区町村の推計に使用。"),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="企業データの年度（省略時は最新年度）。")]
ConcordanceOpt = Annotated[
    Path | None,
    typer.Option(
        "--concordance", help="部門–JSIC 対応表の CSV（sector_code, jsic_code）。省略時は同梱のもの。"
    ),
]
MethodOpt = Annotated[str, typer.Option("--method", help="推計方法: slq / cilq / flq / aflq。")]
DeltaOpt = Annotated[float, typer.Option("--delta", help="FLQ・AFLQ の δ（0 以上 1 未満）。")]
NonTradedOpt = Annotated[
    str | None,
    typer.Option(
        "--non-traded",
        help="移輸出入のない部門のコード（カンマ区切り、none で無し）。省略時は都道府県・ブロックで "
        "41,55,61,64（建設・不動産・公務・医療・福祉）、市区町村では無し。",
    ),
]
BasisOpt = Annotated[
    str,
    typer.Option(
        "--basis", help="LQ をかける全国の係数: domestic（国産品投入係数 (I−M̂)A）/ total（投入係数 A）。"
    ),
]


def _companies(directory: Path) -> pl.DataFrame:
    """The companies of a data set (only the columns the regionalisation reads)."""
    columns = ["prefecture_code", "municipality_code", "jsic_code", "fiscal_year", "employees"]
    stored = directory / "companies.parquet"
    if stored.exists():
        return pl.read_parquet(stored, columns=columns)
    from chiiki.data import read_dataset

    return read_dataset(directory).companies.select(columns)


def _national(path: Path | None) -> tuple[IOTable, str]:
    """The table to regionalise: the file at ``path``, or the shipped 2015 national table."""
    if path is None:
        from chiiki.io.national import NATIONAL_2015_CREDIT, NATIONAL_2015_NAME, national_table_2015

        err_console.print(f"[dim]{NATIONAL_2015_CREDIT}[/]")
        return national_table_2015(), NATIONAL_2015_NAME
    return read_io_table(path), f"産業連関表「{path.name}」"


def estimate_region(
    *,
    region: str | None,
    municipalities: str | None,
    national: Path | None,
    census: Path | None,
    data: Path | None,
    year: int | None,
    concordance: Path | None,
    method: str,
    delta: float,
    basis: str,
    non_traded: str | None = None,
) -> tuple[RegionalTable, IOTable, object, object]:
    """Everything ``regionalize`` needs, from the CLI options: the regional table, the national table,
    the employment basis and the sector employment (the last three for variants)."""
    from chiiki.io.regional.concordance import concordance_for

    members = [m for m in (municipalities or "").split(",") if m.strip()] or None
    area = resolve_region(region, members)
    table, source = _national(national)
    census_frame = None
    if census is not None:
        from chiiki.industry import matrix_from_census

        census_frame = matrix_from_census(census)
    companies = _companies(data) if data is not None else None
    employment = employment_basis([area], census=census_frame, companies=companies, fiscal_year=year)
    sectors = sector_employment(table, employment, concordance_for(table, concordance))
    settings = RegionalSettings(
        method=method,
        delta=delta,
        basis=basis,
        population_share=region_population_share(area),
        non_traded=_codes(non_traded),
    )
    estimated = regionalize(
        table, employment, area, settings=settings, national_source=source, sectors=sectors
    )
    return estimated, table, employment, sectors


def _codes(text: str | None) -> tuple[str, ...] | None:
    """``--non-traded``: None (the default rule), ``none`` (no such sector) or a list of codes."""
    if text is None:
        return None
    if text.strip().lower() == "none":
        return ()
    return tuple(c.strip() for c in text.split(",") if c.strip())


def _run(fn):
    from chiiki.industry import IndustryDataError

    try:
        return fn()
    except (IOTableError, IndustryDataError) as exc:
        raise fail(str(exc)) from None


def regionalize_command(
    region: RegionOpt = None,
    municipalities: MunicipalitiesOpt = None,
    national: NationalOpt = None,
    census: CensusOpt = None,
    data: DataOpt = None,
    year: YearOpt = None,
    concordance: ConcordanceOpt = None,
    method: MethodOpt = DEFAULT_METHOD,
    delta: DeltaOpt = DEFAULT_DELTA,
    basis: BasisOpt = DEFAULT_BASIS,
    non_traded: NonTradedOpt = None,
    out: Out = None,
) -> None:
    """地域の産業連関表を全国表と地域の従業者数から推計します（SLQ・CILQ・FLQ・AFLQ、SPEC §7.1）。

    都道府県・ブロックは経済センサス（--census）、市区町村・独自地域は企業データ（--data、
    センサスもあれば都道府県の値をセンサスで）から推計します。--out には縦持ちの表
    （status = 推計、method = 推計方法の列付き、chiiki io ripple で読めます）を保存します。
    """

    def work():
        estimated, *_ = estimate_region(
            region=region,
            municipalities=municipalities,
            national=national,
            census=census,
            data=data,
            year=year,
            concordance=concordance,
            method=method,
            delta=delta,
            basis=basis,
            non_traded=non_traded,
        )
        return estimated

    estimated = _run(work)
    t = estimated.table
    console.print(estimated.method_text)
    for note in estimated.notes:
        err_console.print(f"[yellow]注:[/] {note}")
    frame = estimated.sector_frame()
    ratios = ["特化係数", "域内調達率"]
    sectors = frame.with_columns(
        pl.col(ratios).round(3), pl.exclude(["部門", *ratios]).round(0).cast(pl.Int64)
    )
    print_frame(
        sectors, title=f"{estimated.region.name}（{t.n} 部門、単位 {t.unit}、すべて推計値）", limit=60
    )
    console.print(
        f"生産額計 {t.X.sum():,.0f} {t.unit}、移輸出計 {t.exports.sum():,.0f}、移輸入計 {-t.imports.sum():,.0f}、"
        f"従業者数 {estimated.employment.sum():,.0f} 人"
    )
    if out is not None:
        frames = {
            "産業連関表": estimated.long_frame(),
            "部門別": estimated.sector_frame(),
            "推計方法": estimated.provenance(),
        }
        if out.suffix.lower() == ".xlsx":
            write_frames(frames, out)
        else:
            write_frame(frames["産業連関表"], out)
        console.print(f"保存しました: {out}")


TableArg = Annotated[
    Path,
    typer.Argument(
        help="産業連関表のファイル（自地域の表、または chiiki io regionalize の出力）。", show_default=False
    ),
]


def circulation_command(
    table: TableArg,
    commuting_income: Annotated[
        float,
        typer.Option("--commuting-income", help="通勤による雇用者所得の純流入（表の単位、流出はマイナス）。"),
    ] = 0.0,
    property_income: Annotated[
        float, typer.Option("--property-income", help="財産所得の純流入（表の単位）。")
    ] = 0.0,
    other_income: Annotated[
        float, typer.Option("--other-income", help="その他の所得の純流入（財政移転など、表の単位）。")
    ] = 0.0,
    out: Out = None,
) -> None:
    """地域経済循環（生産・分配・支出、地域経済循環率、産業別の純移輸出）を計算します（SPEC §7.2）。"""
    from chiiki.io.circulation import CirculationSettings, circulation

    result = _run(
        lambda: circulation(
            read_io_table(table),
            CirculationSettings(commuting_income, property_income, other_income),
        )
    )
    console.print(
        f"地域経済循環率 {result.rate:.1f}%（生産 {result.production:,.0f} ÷ 分配 {result.distribution:,.0f}、単位 {result.unit}）"
    )
    print_frame(result.summary.with_columns(pl.col("金額").round(1)), title="生産・分配・支出")
    print_frame(
        result.net_exports.with_columns(pl.col(pl.Float64).round(1)),
        title="産業別の純移輸出（域外から稼ぐ産業）",
        limit=20,
    )
    if out is not None:
        frames = {"循環": result.summary, "産業別": result.industries, "純移輸出": result.net_exports}
        paths = write_frames(frames, out)
        console.print("保存しました: " + ", ".join(str(p) for p in paths))


def scenarios_command(
    spec: Annotated[
        Path,
        typer.Option(
            "--spec",
            help='シナリオ定義の JSON（[{"name": …, "template": "construction" | "tourism" | "plant" | '
            '"equipment" | "exports" | "demand", …}]、docs/io.md）。',
            show_default=False,
        ),
    ],
    table: Annotated[
        Path | None,
        typer.Option("--table", help="産業連関表のファイル。省略時は --region などから推計した地域表。"),
    ] = None,
    region: RegionOpt = None,
    municipalities: MunicipalitiesOpt = None,
    national: NationalOpt = None,
    census: CensusOpt = None,
    data: DataOpt = None,
    year: YearOpt = None,
    concordance: ConcordanceOpt = None,
    method: MethodOpt = DEFAULT_METHOD,
    delta: DeltaOpt = DEFAULT_DELTA,
    basis: BasisOpt = DEFAULT_BASIS,
    non_traded: NonTradedOpt = None,
    c: Annotated[float, typer.Option("--c", help="消費転換係数（中央値）。")] = DEFAULT_C,
    c_low: Annotated[float | None, typer.Option("--c-low", help="消費転換係数の下限。")] = None,
    c_high: Annotated[float | None, typer.Option("--c-high", help="消費転換係数の上限。")] = None,
    import_change: Annotated[
        float, typer.Option("--import-change", help="輸入係数の変化幅（0.1 = ±10%）。")
    ] = 0.0,
    vary: Annotated[
        str | None,
        typer.Option(
            "--vary",
            help="比べる推計方法（地域表を推計するとき）。例: slq,cilq,flq:0.1,aflq:0.05（flq・aflq は :δ）。",
        ),
    ] = None,
    out: Out = None,
) -> None:
    """テンプレート（建設・観光/イベント・新工場・設備投資・移輸出）のシナリオを、範囲付き（下限・中央・上限）で
    最大5つ並べて比べ、人材需要（就業誘発数、JSIC 大分類別）を示します。"""
    from chiiki.io.jobs import induced_jobs, talent_demand
    from chiiki.io.ranges import RangeSettings, compare_scenarios, ripple_ranges
    from chiiki.io.templates import scenarios_from_spec

    def work():
        try:
            raw = json.loads(spec.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IOTableError(f"{spec}: シナリオ定義の JSON を読めません（{exc}）。") from None
        scenarios = scenarios_from_spec(raw, source=str(spec))
        variants, majors, major_codes = {}, None, ()
        if table is not None:
            base = read_io_table(table)
        else:
            estimated, national_table, employment, sectors = estimate_region(
                region=region,
                municipalities=municipalities,
                national=national,
                census=census,
                data=data,
                year=year,
                concordance=concordance,
                method=method,
                delta=delta,
                basis=basis,
                non_traded=non_traded,
            )
            base, majors, major_codes = estimated.table, estimated.majors, estimated.major_codes
            for item in [v for v in (vary or "").split(",") if v.strip()]:
                name, _, d = item.strip().partition(":")
                settings = RegionalSettings(
                    method=name,
                    delta=float(d) if d else delta,
                    basis=basis,
                    population_share=estimated.settings.population_share,
                    non_traded=estimated.settings.non_traded,
                )
                variant = regionalize(
                    national_table, employment, estimated.region, settings=settings, sectors=sectors
                )
                variants[settings.label] = variant.table
        ranges = ripple_ranges(
            base,
            scenarios,
            settings=RangeSettings(c=c, c_low=c_low, c_high=c_high, import_change=import_change),
            variants=variants,
        )
        jobs = (
            induced_jobs(base, scenarios, c=c, majors=majors, major_codes=major_codes)
            if base.e is not None
            else None
        )
        return base, scenarios, ranges, jobs

    base, scenarios, ranges, jobs = _run(work)
    console.print(
        f"表: {base.n} 部門、単位 {base.unit}。組み合わせ {len(ranges.cases)} 通りの下限・中央・上限。"
    )
    frames = {"範囲": ranges.frame}
    for start in range(0, len(scenarios), 5):
        names = [s.name for s in scenarios[start : start + 5]]
        compared = compare_scenarios(ranges, names)
        print_frame(_cells(compared, names), title="シナリオの比較: 中央値（下限 〜 上限）", limit=30)
        frames[f"比較{start // 5 + 1}"] = compared
    if jobs is not None:
        demand = talent_demand(jobs, by="major" if jobs.by_major.height else "sector")
        print_frame(
            demand.filter((pl.col("事業") == "計") & (pl.col("段階") == "総合効果")),
            title="人材需要（就業誘発数の合計、総合効果）",
            limit=30,
        )
        frames["人材需要"] = demand
    else:
        err_console.print(
            "[yellow]注:[/] 表に従業者数の行がないため、就業誘発数・人材需要は計算していません。"
        )
    if out is not None:
        paths = write_frames(frames, out)
        console.print("保存しました: " + ", ".join(str(p) for p in paths))


def _cells(compared: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """One text cell per scenario for the screen: 「中央値（下限 〜 上限）」, persons without decimals."""
    digits = {"人": 0, "倍": 3}
    cells = {
        name: [
            f"{value:,.{digits.get(unit, 1)}f}（{spread}）"
            for value, unit, spread in compared.select(name, "単位", f"{name}（範囲）").rows()
        ]
        for name in names
    }
    return compared.select("段階", "指標", "単位").with_columns(pl.Series(k, v) for k, v in cells.items())


def report_command(
    region: Annotated[
        str, typer.Option("--region", help="地域: 都道府県コード（07）か市区町村コード（07203）。")
    ],
    out: Annotated[Path, typer.Option("--out", help="保存先（.pdf または .html）。", show_default=False)],
    user: Annotated[
        str | None,
        typer.Option("--user", help="この利用者の権限の範囲で作ります（省略時は企業名を載せない集計のみ）。"),
    ] = None,
) -> None:
    """地域レポート（企業と産業構造、地域経済循環、コネクター・ハブ企業、重点分野の候補、計画の波及効果）を
    PDF か HTML で作ります。データは設定されたデータベースとデータディレクトリから読みます。"""
    from chiiki.services.access import Principal
    from chiiki.services.login import principal_of
    from chiiki.services.report import local_state, regional_report, report_document, report_pdf
    from chiiki.store.errors import StoreError
    from chiiki.store.users import get_user_by_username

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise fail(f"保存先「{out}」の拡張子は .pdf か .html にしてください。")
    state = local_state()
    with state.sessions() as db:
        if user is None:
            principal = Principal("cli", "municipal")
        else:
            row = get_user_by_username(db, user)
            if row is None or not row.is_active:
                raise fail(f"利用者「{user}」がいないか、無効です。chiiki admin で確認してください。")
            principal = principal_of(row)
        try:
            report = regional_report(state, db, principal, region)
        except StoreError as exc:
            raise fail(str(exc)) from None
    if suffix == ".pdf":
        out.write_bytes(report_pdf(report))
    else:
        out.write_text(report_document(report), "utf-8")
    console.print(f"保存しました: {out}（{report.title}）")


def register(app: typer.Typer) -> None:
    """Add the regional commands to the ``chiiki io`` group."""
    app.command("report")(report_command)
    app.command("regionalize")(regionalize_command)
    app.command("circulation")(circulation_command)
    app.command("scenarios")(scenarios_command)
