"""``chiiki firms …``: firm analytics commands (SPEC §3), thin shells over :mod:`chiiki.firms`.

Each command parses, loads the data directory, calls one core function and formats. Domain errors
(:class:`chiiki.firms.FirmAnalysisError`, unreadable or invalid data) become Japanese messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import polars as pl
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from chiiki.cli.output import console, err_console, fail, print_frame, write_frame
from chiiki.data.contract import Dataset
from chiiki.data.readers import MANIFEST, DataReadError, read_manifest, read_raw_table
from chiiki.data.years import load_dataset
from chiiki.firms.connector_hub import COLUMN_LABELS, FIRM_COLUMNS, degrees_from_network
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.network import build_network
from chiiki.firms.regions import read_region_mapping
from chiiki.firms.roles import network_roles, roles_from_network
from chiiki.firms.scores import parse_weights, priority_scores
from chiiki.firms.selection import select_priority

# The ripple, 商流圏 and amount estimation (SciPy's sparse solvers) are imported by their commands, so
# that connector-hub, roles and score start without them (issue #15 §9).

app = typer.Typer(
    add_completion=False,
    help=(
        "企業分析: コネクター度・ハブ度、重点支援企業の得点と選定、取引額の推計、ネットワーク上の役割、"
        "域内取引額と企業間の波及、商流圏（金額は千円）。"
    ),
    no_args_is_help=True,
)

T = TypeVar("T")

NETWORK_COLUMNS = ["company_id", "name", "prefecture_code", "municipality_code", "fiscal_year"]
"""Company columns that connector/hub and roles use (SPEC §3.1, §3.4), whatever the region level."""

LABELS = {
    **COLUMN_LABELS,
    "prefecture_code": "都道府県コード",
    "score": "総合得点",
    "score_rank": "得点順位",
    "selected": "選定",
    "reasons": "選定理由",
    "participation": "参加係数",
    "within_z": "域内次数z",
    "participation_weighted": "参加係数（金額）",
    "within_z_weighted": "域内次数z（金額）",
    "role": "役割",
    "direct": "直接効果（千円）",
    "induced": "誘発額（千円）",
    "total": "合計（千円）",
    "is_shocked": "需要増の企業",
    "in_region_value": "域内取引額（千円）",
}

DirArg = Annotated[
    Path, typer.Argument(help="企業・取引データのフォルダ（chiiki synth / import の出力など）")
]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（省略時はデータの最新年度）")]
LevelOpt = Annotated[
    str, typer.Option("--level", help="地域の単位: prefecture（都道府県）/ municipality / block / custom")
]
RegionsOpt = Annotated[
    Path | None,
    typer.Option(
        "--regions", help="独自地域の定義CSV（municipality_code,region_code）。--level custom で使用"
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="出力ファイル（.csv / .xlsx / .parquet）")]
FormatOpt = Annotated[str, typer.Option("--format", help="画面出力の形式: table / csv / json")]
LimitOpt = Annotated[int, typer.Option("--limit", help="画面に表示する最大行数")]


@contextmanager
def _spinner(text: str) -> Iterator[None]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        progress.add_task(text, total=None)
        yield


def _run(fn: Callable[[], T]) -> T:
    """Call ``fn``; domain errors become a Japanese message and exit code 2 (no traceback)."""
    try:
        return fn()
    except (FirmAnalysisError, DataReadError) as exc:
        raise fail(str(exc)) from exc
    except Exception as exc:
        from chiiki.data.validation import DataValidationError

        if isinstance(exc, DataValidationError):
            raise fail(
                f"データにエラーがあります: {exc}。chiiki validate で詳細を確認してください。"
            ) from exc
        raise


def _regions(level: str, regions: Path | None) -> pl.DataFrame | None:
    if regions is not None and level != "custom":
        raise FirmAnalysisError("--regions は --level custom のときに指定してください。")
    return read_region_mapping(regions) if regions is not None else None


def _notes(notes: list[str]) -> None:
    for note in notes:
        err_console.print(f"[yellow]注:[/] {note}")


def _emit(
    frame: pl.DataFrame,
    *,
    out: Path | None,
    fmt: str,
    title: str,
    limit: int,
    show: list[str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Write ``frame`` to ``out`` (all columns, identifiers as headers) or show it: a table shows the
    ``show`` columns with Japanese headers and rounded degrees; csv / json give every column."""
    if out is not None:
        write_frame(frame, out)
        err_console.print(f"[bold green]{frame.height:,} 行を書き出しました[/]: {out}")
        return
    if fmt != "table":
        print_frame(frame, fmt=fmt, title=title, limit=limit)
        return
    shown = frame.select([c for c in show if c in frame.columns]) if show else frame
    shown = shown.with_columns(pl.col(pl.Float64).round(4))
    names = LABELS | (labels or {})
    shown = shown.rename({k: v for k, v in names.items() if k in shown.columns})
    print_frame(shown, fmt=fmt, title=title, limit=limit)
    if show and len(shown.columns) < frame.width:
        err_console.print(
            "（主な列のみ表示。全列は --out FILE.csv / .xlsx / .parquet または --format csv で）"
        )


def _year(directory: Path, year: int | None) -> int:
    """``year`` checked against the data's years (manifest), or the latest year when None."""
    manifest = read_manifest(directory) or {}
    years = [int(y) for y in manifest.get("years") or []]
    if not years:
        if not directory.is_dir():
            raise FirmAnalysisError(f"データのフォルダが見つかりません: {directory}")
        ds = load_dataset(directory)
        years = sorted(ds.companies.get_column("fiscal_year").unique().drop_nulls().to_list())
    if not years:
        raise FirmAnalysisError(f"{directory}: 企業データが空です。")
    if year is None:
        return max(years)
    if year not in years:
        raise FirmAnalysisError(
            f"{year}年度のデータがありません。データにある年度: {', '.join(map(str, years))}。"
            "--year を指定し直してください。"
        )
    return year


def stored_degrees(directory: Path, year: int) -> tuple[pl.DataFrame, list[str]] | None:
    """The prefecture-level degrees of ``year`` from a stored version's built analyses
    (:mod:`chiiki.services.analysis_files`), in the order :func:`degrees_from_network` gives; None
    when the directory has none for that year."""
    from chiiki.services.analysis_files import load_firms, read_manifest  # noqa: PLC0415

    manifest = read_manifest(directory)
    info = (manifest or {}).get("years", {}).get(str(year))
    if info is None:
        return None
    firms = load_firms(directory, year).select(FIRM_COLUMNS)
    firms = firms.sort(["region_code", "connector_rank", "company_id"], nulls_last=True)
    return firms, list(info["notes"])


@app.command("connector-hub")
def connector_hub_cmd(
    directory: DirArg,
    year: YearOpt = None,
    level: LevelOpt = "prefecture",
    regions: RegionsOpt = None,
    region: Annotated[
        str | None, typer.Option("--region", help="この地域コードの企業だけを出力（例: 07）")
    ] = None,
    roles: Annotated[
        bool, typer.Option("--roles", help="参加係数・域内次数zスコア（SPEC §3.4）も出力")
    ] = False,
    out: OutOpt = None,
    fmt: FormatOpt = "table",
    limit: LimitOpt = 30,
) -> None:
    """コネクター度・ハブ度（SPEC §3.1）を企業ごとに計算します。

    コネクター度 = 企業の域外販売額 ÷ 地域の域外販売額の合計、
    ハブ度 = 企業の域内仕入額 ÷ 地域の域内仕入額の合計。
    地域ごと・コネクター度順位順に並べます。取引先不明・取引額欠損などで除外した取引の件数と理由を表示します。
    """

    def work() -> None:
        y = _year(directory, year)
        mapping = _regions(level, regions)
        stored = None if roles or level != "prefecture" else stored_degrees(directory, y)
        if stored is not None:  # a registered version: its analyses are already built
            frame, notes = stored
            region_codes = set(frame.get_column("region_code").unique().to_list())
        else:
            with _spinner(f"{y}年度のコネクター度・ハブ度を計算しています…"):
                ds = load_dataset(
                    directory, company_years=[y], link_years=[y], coded=True, company_columns=NETWORK_COLUMNS
                )
                net = build_network(ds.companies, ds.transactions, year=y, level=level, regions=mapping)
                result = degrees_from_network(net, level=level)
                frame = result.firms
                if roles:
                    frame = frame.join(
                        roles_from_network(net).drop("uses_estimated"),  # the degrees' flag is the same
                        on="company_id",
                        how="left",
                        maintain_order="left",
                    )
            notes, region_codes = result.notes, set(result.regions.get_column("region_code").to_list())
        if region is not None:
            if region not in region_codes:
                raise FirmAnalysisError(
                    f"地域コード {region} の企業がありません。--level と地域コードを確認してください。"
                )
            frame = frame.filter(pl.col("region_code") == region)
        _notes(notes)
        show = [
            "company_id",
            "name",
            "region_code",
            "out_sales",
            "in_purchases",
            "connector_degree",
            "hub_degree",
            "connector_rank",
            "hub_rank",
            "participation",
            "within_z",
            "role",
        ]
        _emit(frame, out=out, fmt=fmt, title=f"コネクター度・ハブ度（{y}年度）", limit=limit, show=show)

    _run(work)


@app.command("roles")
def roles_cmd(
    directory: DirArg,
    year: YearOpt = None,
    level: LevelOpt = "prefecture",
    regions: RegionsOpt = None,
    modules: Annotated[
        str, typer.Option("--modules", help="モジュール: regions（地域）/ communities（検出）")
    ] = ("regions"),
    out: OutOpt = None,
    fmt: FormatOpt = "table",
    limit: LimitOpt = 30,
) -> None:
    """ネットワーク上の役割（SPEC §3.4）: 参加係数 P と域内次数 z スコア（件数・金額の両方）と役割 R1〜R7。"""

    def work() -> None:
        y = _year(directory, year)
        mapping = _regions(level, regions)
        with _spinner("役割を計算しています…"):
            ds = load_dataset(
                directory, company_years=[y], link_years=[y], coded=True, company_columns=NETWORK_COLUMNS
            )
            frame = network_roles(
                ds.companies, ds.transactions, year=y, level=level, regions=mapping, modules=modules
            )
        show = [
            "company_id",
            "participation",
            "within_z",
            "participation_weighted",
            "within_z_weighted",
            "role",
            "uses_estimated",
        ]
        _emit(frame, out=out, fmt=fmt, title=f"ネットワーク上の役割（{y}年度）", limit=limit, show=show)

    _run(work)


def _int_list(text: str | None, option: str) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise FirmAnalysisError(
            f"{option} は 1,5,12 のように番号をカンマ区切りで指定してください: {text}"
        ) from None


@app.command("score")
def score_cmd(
    directory: DirArg,
    pref: Annotated[
        str | None, typer.Option("--pref", help="都道府県コード（例: 07）。省略時は全都道府県")
    ] = None,
    year: YearOpt = None,
    weights: Annotated[
        str | None, typer.Option("--weights", help="重み（例: connector_degree=0.2,hub_degree=0.2）")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", help="得点上位N社を選定")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", help="得点がS点以上の企業を選定")] = None,
    hub_connector_top: Annotated[
        float | None, typer.Option("--hub-connector-top", help="コネクター度・ハブ度とも上位p%の企業を選定")
    ] = None,
    fields: Annotated[
        str | None, typer.Option("--fields", help="重点分野の番号（1〜17、カンマ区切り）")
    ] = None,
    out: OutOpt = None,
    fmt: FormatOpt = "table",
    limit: LimitOpt = 30,
) -> None:
    """重点支援企業の候補を6指標の偏差値で評価し、選定します（SPEC §3.2）。

    指標: コネクター度・ハブ度（各15%）、3年平均営業利益・3年平均従業者数（各15%）、
    利益・雇用の年平均成長率（各20%）。
    選定基準を指定しないときは上位10社を選定します。3年分のデータがないときは成長率を除き重みを再配分します。
    """

    def work() -> None:
        y = _year(directory, year)
        w = parse_weights(weights) if weights else None
        field_ids = _int_list(fields, "--fields")
        with _spinner("得点を計算しています…"):
            ds = load_dataset(directory, company_years=[y - 2, y - 1, y], link_years=[y], coded=True)
            scores = priority_scores(ds.companies, ds.transactions, prefecture=pref, year=y, weights=w)
        rules = {"top_n": top, "min_score": min_score, "hub_connector_top": hub_connector_top}
        notes = list(scores.notes)
        if all(v is None for v in rules.values()):
            rules["top_n"] = 10
            notes.append("選定基準の指定がないため、得点上位10社を選定しました。")
        frame = select_priority(scores.firms, fields=field_ids, **rules)
        _notes(notes)
        _emit(
            frame,
            out=out,
            fmt=fmt,
            title=f"重点支援企業の得点（基準年度 {y}）",
            limit=limit,
            show=["company_id", "name", "prefecture_code", "score", "score_rank", "selected", "reasons"],
        )

    _run(work)


@app.command("estimate-amounts")
def estimate_amounts_cmd(
    directory: DirArg,
    out: Annotated[Path, typer.Option("--out", help="推計後のデータを書き出すフォルダ")],
    beta: Annotated[float, typer.Option("--beta", help="販売先の売上高の指数 β（既定 1）")] = 1.0,
    business_share: Annotated[
        Path | None,
        typer.Option("--business-share", help="JSIC大分類ごとの事業者向け販売比率のCSV（major_code,share）"),
    ] = None,
    ras: Annotated[bool, typer.Option("--ras", help="RAS法で販売先の仕入総額に合わせる")] = False,
    purchases: Annotated[
        Path | None,
        typer.Option("--purchases", help="仕入総額のCSV（company_id,fiscal_year,purchases）。RAS用"),
    ] = None,
    allow_unconverged: Annotated[
        bool,
        typer.Option(
            "--allow-unconverged",
            help="RAS法が収束しなくても書き出す（マニフェストに ras_converged=false を記録）",
        ),
    ] = False,
) -> None:
    """欠損している取引額を推計して補完します（SPEC §3.3）。

    取引額 = s × 販売側の売上高 × 販売先の売上高^β ÷ Σ（販売先の売上高^β）。
    推計した取引には amount_estimated = true を付け、
    推計値を使った分析結果にはその旨を表示します。出力フォルダはそのまま他のコマンドで読めます。
    --ras で RAS 法が収束しないときは書き出しません（--allow-unconverged で、印を付けて書き出せます）。
    各方法の誤差は docs/firms.md を参照してください。
    """

    def work() -> None:
        share = pl.read_csv(business_share, infer_schema=False) if business_share else None
        if share is not None and "share" in share.columns:
            share = share.with_columns(pl.col("share").cast(pl.Float64, strict=False))
        purch = pl.read_csv(purchases, infer_schema=False) if purchases else None
        if out.resolve() == directory.resolve():
            raise FirmAnalysisError(
                "--out には入力と別のフォルダを指定してください（元データは上書きしません）。"
            )
        from chiiki.firms.estimate import estimate_amounts  # noqa: PLC0415

        with _spinner("取引額を推計しています…"):
            ds = load_dataset(directory)
            result = estimate_amounts(
                ds.companies, ds.transactions, beta=beta, business_share=share, ras=ras, purchases=purch
            )
        rep = result.report
        _notes(rep.notes)
        print_frame(rep.to_frame(), title="取引額の推計")
        if ras and not rep.ras_converged and not allow_unconverged:
            raise FirmAnalysisError(
                f"RAS 法が収束しなかったため書き出しませんでした（{out} は作成していません）。"
                "収束しないまま書き出すには --allow-unconverged を指定してください。"
            )
        from chiiki.data.datasets import write_dataset

        info = {"beta": beta, "ras": ras, "source": str(directory)}
        if ras:
            info |= {"ras_converged": rep.ras_converged, "ras_max_residual": rep.ras_max_residual}
        with _spinner("書き出しています…"):
            write_dataset(Dataset(ds.companies, result.transactions), out, info={"estimated_amounts": info})
        if ras and not rep.ras_converged:
            err_console.print(
                "[bold yellow]警告:[/] RAS 法が収束していない推計値を書き出しました"
                "（マニフェストの estimated_amounts.ras_converged = false）。結果は参考値にもなりません。"
            )
        console.print(f"[bold green]書き出しました[/]: {out / MANIFEST}")

    _run(work)


def _firm_ids(firms: list[str]) -> list[str]:
    ids = [p.strip() for f in firms for p in f.split(",") if p.strip()]
    if not ids:
        raise FirmAnalysisError("--firm に企業IDを1つ以上指定してください。")
    return ids


def _shock(
    companies: pl.DataFrame,
    *,
    year: int,
    firm: list[str] | None,
    shock: Path | None,
    pref: str | None,
    everyone: bool,
    delta: float | None,
) -> tuple[pl.Series, float | pl.Series, str]:
    """Shocked firm ids, their Δ and a Japanese description, from exactly one of --firm, --shock,
    --pref, --all (SPEC §3.5; a national shock has 700,000 ids, too many for arguments)."""
    given = [
        name for name, v in (("--firm", firm), ("--shock", shock), ("--pref", pref), ("--all", everyone)) if v
    ]
    if len(given) != 1:
        raise FirmAnalysisError(
            "需要が増える企業は --firm、--shock FILE、--pref CODE、--all のどれか1つで指定してください"
            f"（指定: {', '.join(given) or 'なし'}）。"
        )
    if shock is not None:
        if delta is not None:
            raise FirmAnalysisError(
                "--shock のファイルに増加額（delta 列）があるため、--delta は指定できません。"
            )
        from chiiki.firms.ripple import shock_from_frame  # noqa: PLC0415

        raw = read_raw_table(shock)
        table = shock_from_frame(raw.frame, source=str(shock), first_row=raw.first_row)
        return table.get_column("company_id"), table.get_column("delta"), f"{shock} の {table.height:,} 社"
    if delta is None:
        raise FirmAnalysisError("--delta に各企業の生産の増加額（千円）を指定してください。")
    if firm:
        ids = _firm_ids(firm)
        return pl.Series(ids, dtype=pl.Utf8), delta, f"{len(ids):,} 社"
    firms = companies.filter(pl.col("fiscal_year") == year)
    if pref is not None:
        firms = firms.filter(pl.col("prefecture_code") == pref)
        if firms.height == 0:
            raise FirmAnalysisError(
                f"{year}年度に都道府県コード {pref} の企業がありません。2桁（例: 07）で指定してください。"
            )
    label = f"都道府県 {pref} の全 {firms.height:,} 社" if pref else f"全国の全 {firms.height:,} 社"
    return firms.get_column("company_id"), delta, label


@app.command("ripple")
def ripple_cmd(
    directory: DirArg,
    firm: Annotated[
        list[str] | None, typer.Option("--firm", help="需要が増える企業のID（複数可、カンマ区切り可）")
    ] = None,
    delta: Annotated[
        float | None, typer.Option("--delta", help="各企業の生産（売上）の増加額（千円）。--shock では不要")
    ] = None,
    shock: Annotated[
        Path | None,
        typer.Option(
            "--shock", help="企業ごとの増加額の表（列 company_id,delta、千円。CSV / Excel / Parquet）"
        ),
    ] = None,
    pref: Annotated[
        str | None, typer.Option("--pref", help="この都道府県（例: 07）の全企業の生産が --delta ずつ増える")
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="全国の全企業の生産が --delta ずつ増える")] = False,
    year: YearOpt = None,
    level: LevelOpt = "prefecture",
    regions: RegionsOpt = None,
    top: Annotated[int, typer.Option("--top", help="表示する域内仕入先の数")] = 20,
    out: OutOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """企業の生産増加が域内の仕入先に及ぼす波及（SPEC §3.5）: x = (I − A)⁻¹ f、a_ji = 取引額_ji ÷ 売上高_i。

    需要が増える企業は --firm（ID）、--shock（企業ごとの増加額の表）、--pref（都道府県の全企業）、
    --all（全国の全企業）のどれか1つで指定します。
    生産が増える域内の仕入先と増加額、域内で誘発される生産額の合計（千円）を表示します。
    投入係数行列のスペクトル半径が1未満であることを確認してから計算し、そうでないときはエラーで知らせます。
    """

    def work() -> None:
        y = _year(directory, year)
        mapping = _regions(level, regions)
        from chiiki.firms.dependence import DEPENDENCE_LABELS  # noqa: PLC0415
        from chiiki.firms.ripple import firm_ripple  # noqa: PLC0415

        with _spinner("波及を計算しています…"):
            ds = load_dataset(directory, company_years=[y], link_years=[y], coded=True)
            ids, deltas, label = _shock(
                ds.companies, year=y, firm=firm, shock=shock, pref=pref, everyone=everyone, delta=delta
            )
            r = firm_ripple(
                ds.companies,
                ds.transactions,
                year=y,
                firms=ids,
                delta=deltas.to_numpy() if isinstance(deltas, pl.Series) else deltas,
                level=level,
                regions=mapping,
                top=top,
            )
        _notes(r.notes)
        err_console.print(
            f"需要増: {label}。直接効果 {r.direct:,.0f} 千円、域内の誘発生産額 {r.induced:,.1f} 千円、"
            f"合計 {r.total:,.1f} 千円（倍率 {r.total / r.direct if r.direct else float('nan'):.4f}）"
        )
        _emit(
            r.firms,
            out=out,
            fmt=fmt,
            title=f"域内の仕入先への波及（{y}年度、千円）",
            limit=top + 10,
            labels=DEPENDENCE_LABELS,
        )

    _run(work)


@app.command("dependence")
def dependence_cmd(
    directory: DirArg,
    company: Annotated[str, typer.Option("--company", help="対象企業のID")],
    tiers: Annotated[int, typer.Option("--tiers", help="さかのぼる仕入先の階層数（1〜20）")] = 3,
    delta: Annotated[
        float | None, typer.Option("--delta", help="対象企業の生産の増加額（千円）。仕入先への波及を計算")
    ] = None,
    in_region: Annotated[
        bool, typer.Option("--in-region", help="対象企業と同じ地域の仕入先だけをたどる（SPEC §3.5 の波及）")
    ] = False,
    year: YearOpt = None,
    level: LevelOpt = "prefecture",
    regions: RegionsOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = "table",
    limit: LimitOpt = 30,
) -> None:
    """商流圏（仕入先の依存度）: 対象企業の N 次までの仕入先と、各社の売上のうち対象企業に至る割合。

    割合 = 直接の販売額 ÷ 売上高 と、より上流の仕入先からは各段の販売割合の積の和（N 次まで）。
    --delta を指定すると、対象企業の生産増加が N 次までの仕入先に及ぼす波及（千円）も計算します。
    """

    def work() -> None:
        y = _year(directory, year)
        mapping = _regions(level, regions)
        from chiiki.firms.dependence import DEPENDENCE_LABELS, supplier_dependence  # noqa: PLC0415

        with _spinner("商流圏を計算しています…"):
            columns = [*NETWORK_COLUMNS, "jsic_code", "sales"]
            ds = load_dataset(
                directory, company_years=[y], link_years=[y], coded=True, company_columns=columns
            )
            r = supplier_dependence(
                ds.companies,
                ds.transactions,
                year=y,
                company_id=company,
                tiers=tiers,
                delta=delta,
                in_region_only=in_region,
                level=level,
                regions=mapping,
            )
        _notes(r.notes)
        f = r.focus
        err_console.print(
            f"対象企業: {f['company_id']} {f['name'] or ''}（地域 {f['region_code']}、売上高 {f['sales']:,} 千円）。"
            f"{tiers}次までの仕入先 {r.firms.height:,} 社"
            + "（"
            + "、".join(f"{t}次 {n:,} 社" for t, n in r.by_tier.select("tier", "n_firms").iter_rows())
            + "）"
            + (
                f"。生産増 {r.delta:,.0f} 千円で仕入先の生産は計 {r.firms.get_column('delta_output').sum():,.1f} 千円増えます。"
                if r.delta is not None
                else "。"
            )
        )
        show = ["company_id", "name", "region_code", "tier", "sales", "direct_amount", "share"]
        if r.delta is not None:
            show += ["delta_output", "delta_share"]
        _emit(
            r.firms,
            out=out,
            fmt=fmt,
            title=f"{f['company_id']} の商流圏（{y}年度、{tiers}次まで）",
            limit=limit,
            show=show + ["uses_estimated"],
            labels=DEPENDENCE_LABELS,
        )

    _run(work)


@app.command("in-region-value")
def in_region_value_cmd(
    directory: DirArg,
    firm: Annotated[list[str], typer.Option("--firm", help="企業ID（複数可、カンマ区切り可）")],
    year: YearOpt = None,
    level: LevelOpt = "prefecture",
    regions: RegionsOpt = None,
    out: OutOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """域内取引額（SPEC §3.5）: 企業ごとの域内販売額＋域内仕入額と、企業群の合計。

    企業群の合計では、企業群の中の企業どうしの域内取引を1回だけ数えます。
    """

    def work() -> None:
        y = _year(directory, year)
        mapping = _regions(level, regions)
        ds = load_dataset(directory, company_years=[y], link_years=[y], coded=True)
        from chiiki.firms.ripple import in_region_transaction_value  # noqa: PLC0415

        v = in_region_transaction_value(
            ds.companies, ds.transactions, year=y, firms=_firm_ids(firm), level=level, regions=mapping
        )
        _notes(v.notes)
        err_console.print(f"企業群の域内取引額: {v.total:,} 千円（企業間の域内取引は1回だけ数えています）")
        _emit(v.firms, out=out, fmt=fmt, title=f"域内取引額（{y}年度、千円）", limit=100)

    _run(work)
