"""``chiiki validate``, ``chiiki import`` and ``chiiki synth``: the firm-data commands (SPEC §2)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from chiiki.cli.output import console, err_console, fail, print_frame, progress_bar, spinner
from chiiki.data.datasets import write_dataset
from chiiki.data.headers import (
    UNIT_CHOICES,
    IntakeOptions,
    MappingFileError,
    check_mapping,
    read_mapping_file,
)
from chiiki.data.synth import SynthParams, generate_economy, params_dict
from chiiki.data.validation import DataValidationError, ValidationReport, validate_directory

ColumnsOption = Annotated[
    Path | None,
    typer.Option(
        "--columns",
        help='見出しと列の対応表（CSV: 見出し,列名 の2列。JSON: {"見出し": "列名"}）。列名を空にすると、その列は使いません。',
    ),
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="金額の単位（円・千円・百万円）。千円に換算します。見出しに（円）などとあればそれが優先です。",
    ),
]
SheetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sheet",
        help="Excel ブックのシート名（両方の表に）。表ごとには companies=シート名 / transactions=シート名。",
    ),
]


def intake_options(columns: Path | None, unit: str | None, sheet: list[str] | None) -> IntakeOptions:
    """The reading options from ``--columns``, ``--unit`` and ``--sheet``; a Japanese error when wrong."""
    mapping = {}
    if columns is not None:
        try:
            mapping = read_mapping_file(columns)
        except MappingFileError as exc:
            raise fail(str(exc)) from exc
        if bad := check_mapping(mapping):
            raise fail(f"{columns}: " + " / ".join(bad))
    if unit is not None and unit not in UNIT_CHOICES:
        raise fail(f"--unit は {'・'.join(UNIT_CHOICES)} のいずれかです: {unit}")
    sheets = {}
    for item in sheet or []:
        table, sep, name = item.partition("=")
        if sep and table in ("companies", "transactions"):
            sheets[table] = name
        else:
            sheets["*"] = item
    return IntakeOptions(mapping, unit, sheets)


def _show_matches(report: ValidationReport) -> None:
    """The headers that were placed by the synonym table or the mapping (not literally a column name)."""
    rows = [
        {"表": table, "ファイルの見出し": header, "列": column}
        for table, match in report.matches.items()
        for header, column in match.placed.items()
        if header != column
    ] + [
        {"表": table, "ファイルの見出し": header, "列": "（使わない）"}
        for table, match in report.matches.items()
        for header in match.ignored
    ]
    if rows:
        import polars as pl  # noqa: PLC0415

        print_frame(pl.DataFrame(rows), title="見出しの対応")


def _show_report(report: ValidationReport, *, as_json: bool, limit: int) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": not report.has_errors,
                    "summary": report.summary(),
                    "counts": report.counts,
                    "problems": report.problems.to_dicts(),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    _show_matches(report)
    if report.problems.height:
        print_frame(report.by_code(), title="問題の種類と件数")
        print_frame(
            report.problems.select("severity", "file", "row", "column", "value", "message"),
            title="問題の一覧（行番号は見出し行を1行目とした行）",
            limit=limit,
        )
    style = "bold red" if report.has_errors else "bold green"
    verdict = (
        "エラーがあります。修正してから取り込んでください。" if report.has_errors else "取り込み可能です。"
    )
    console.print(f"[{style}]{report.summary()} — {verdict}[/]")


def validate(
    directory: Annotated[
        Path,
        typer.Argument(help="companies と transactions のファイル（.csv / .xlsx / .parquet）があるフォルダ"),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="結果をJSONで出力します（問題1件につき1オブジェクト）。")
    ] = False,
    limit: Annotated[int, typer.Option(help="画面に表示する問題の最大件数")] = 100,
    columns: ColumnsOption = None,
    unit: UnitOption = None,
    sheet: SheetOption = None,
) -> None:
    """企業データ（companies）と取引データ（transactions）を検証します。

    CSV は UTF-8 と Shift_JIS（CP932）、区切り文字（カンマ・タブ・セミコロン）を自動判別します。
    日本語の見出し（企業ID、商号、売上高（千円）など）は対応表で列に当てはめます（docs/data.md）。
    当てはまらない見出しは --columns で指定します。問題ごとにファイル・行・列・値・理由を表示し、
    エラーがなければ終了コード 0、エラーがあれば 1 を返します。金額は千円単位の整数です。
    """
    options = intake_options(columns, unit, sheet)
    with spinner() as progress:
        progress.add_task("検証しています…", total=None)
        report = validate_directory(directory, options)
    _show_report(report, as_json=as_json, limit=limit)
    raise typer.Exit(1 if report.has_errors else 0)


IMPORT_WAIT_S = 3600
"""How long ``chiiki import`` waits for another import of the same data set to finish."""


def import_(
    directory: Annotated[Path, typer.Argument(help="取り込む companies / transactions のフォルダ")],
    name: Annotated[str, typer.Option(help="データセット名（版はこの名前ごとに管理されます）")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="検証結果をJSONで出力します。")] = False,
    columns: ColumnsOption = None,
    unit: UnitOption = None,
    sheet: SheetOption = None,
) -> None:
    """企業・取引データを検証し、エラーがなければ新しい版としてデータフォルダ（$CHIIKI_DATA_DIR、既定
    ./var/chiiki）に保存し、データベースに登録します（Web画面もすぐにこの版を使います）。

    取り込みは全件か無しか（all-or-nothing）です。エラーが1件でもあれば何も保存しません。
    途中で中断されても、それまでの版はそのまま使えます。同じデータセットの取り込みは1つずつ行い、
    別の取り込みが実行中なら終わるまで待ちます。見出しの対応（--columns）、金額の単位（--unit）、
    シート（--sheet）は chiiki validate と同じです。
    """
    options = intake_options(columns, unit, sheet)
    from chiiki.data.locks import ImportBusyError  # noqa: PLC0415
    from chiiki.store import create_engine_from_settings, get_settings  # noqa: PLC0415
    from chiiki.store.datasets import import_and_register  # noqa: PLC0415
    from chiiki.store.migrate import StoreNotReadyError, ensure_store  # noqa: PLC0415

    settings = get_settings()
    engine = create_engine_from_settings(settings)
    try:
        ensure_store(engine)
        with spinner() as progress:
            task = progress.add_task("検証して保存しています…", total=None)
            row = import_and_register(
                engine, directory, settings.data_dir, name=name, actor=os.environ.get("USER") or "cli",
                wait_s=IMPORT_WAIT_S, options=options,
                on_wait=lambda: progress.update(task, description="別の取り込みが終わるのを待っています…"),
            )  # fmt: skip
    except DataValidationError as exc:
        _show_report(exc.report, as_json=as_json, limit=100)
        err_console.print("[bold red]エラーがあるため、何も保存していません。[/]")
        raise typer.Exit(1) from exc
    except (ImportBusyError, StoreNotReadyError) as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    counts, report = row.counts, row.report or {}
    console.print(
        f"[bold green]データセット「{name}」の版 {row.version} を保存し、登録しました[/]（{row.path}）: "
        f"企業 {counts['companies']:,} 行、取引 {counts['transactions']:,} 行、"
        f"警告 {report.get('warnings', 0):,} 件"
    )
    _build_analyses(Path(row.path))


def _build_analyses(version_dir: Path) -> None:
    """The version's analyses, built once now so no web worker or command computes them (issue #15 §1)."""
    from chiiki.services.analysis_files import build_analyses  # noqa: PLC0415

    with progress_bar() as progress:
        task = progress.add_task("分析を作っています…", total=1.0)
        manifest = build_analyses(
            version_dir, progress=lambda f, m: progress.update(task, completed=f, description=m)
        )
    console.print(
        f"分析を作りました（{len(manifest['years'])} 年度分、{manifest.get('seconds', 0):.1f} 秒）。"
    )


def _years(text: str) -> list[int]:
    try:
        years = sorted({int(y) for y in text.split(",") if y.strip()})
    except ValueError:
        raise fail(
            f"--years は 2022,2023,2024 のように西暦をカンマ区切りで指定してください: {text}"
        ) from None
    if not years:
        raise fail("--years に1つ以上の年度を指定してください。")
    return years


def synth(
    out: Annotated[
        Path, typer.Option("--out", help="出力フォルダ（companies と transactions を書き出します）")
    ],
    firms: Annotated[int, typer.Option("--firms", help="企業数（全国）")] = 50_000,
    years: Annotated[str, typer.Option(help="年度（カンマ区切り）")] = "2022,2023,2024",
    seed: Annotated[int, typer.Option(help="乱数の種。同じ種からは同じバイト列のファイルができます。")] = 1,
    fmt: Annotated[str, typer.Option("--format", help="parquet または csv")] = "parquet",
    missing_amounts: Annotated[float, typer.Option(help="取引額を欠損させる割合（0〜1）")] = 0.0,
) -> None:
    """模擬の全国経済（企業と企業間取引）を生成します。chiiki validate を通るデータです。

    企業は人口に応じて都道府県・市区町村に分布し、産業構成は地域ごとに異なり、企業規模は裾の重い分布です。
    取引は産業間の投入産出の親和性と距離減衰で決まり、多くは域内ですが一部の企業は域外へ広く販売します。
    金額は千円。モデルとパラメータは docs/synth.md を参照してください。
    """
    if fmt not in ("parquet", "csv"):
        raise fail(f"--format は parquet か csv です: {fmt}")
    year_list = _years(years)
    try:
        with spinner() as progress:
            task = progress.add_task(f"{firms:,} 社の模擬経済を生成しています…", total=None)
            dataset = generate_economy(
                n_firms=firms, years=year_list, seed=seed, missing_amounts=missing_amounts
            )
            progress.update(task, description="ファイルに書き出しています…")
            info = {
                "generator": {
                    "firms": firms,
                    "years": year_list,
                    "seed": seed,
                    "missing_amounts": missing_amounts,
                    "params": params_dict(SynthParams()),
                }
            }
            manifest = write_dataset(dataset, out, fmt=fmt, info=info)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    rows = {k: v["rows"] for k, v in manifest["files"].items()}
    console.print(
        f"[bold green]模擬データを書き出しました[/]（{out}）: "
        + "、".join(f"{k} {v:,} 行" for k, v in rows.items())
    )


def template(
    out: Annotated[Path, typer.Option("--out", help="テンプレートを書き出すフォルダ")] = Path("."),
) -> None:
    """企業・取引データの記入用テンプレートを書き出します。

    表ごとに Excel ブック（説明シートと入力規則付きの入力シート）と、見出し行だけの CSV（UTF-8 と Shift_JIS）です。
    見出しはそのまま取り込めます（chiiki validate / chiiki import、Web のアップロード）。
    """
    from chiiki.data.templates import write_templates  # noqa: PLC0415

    paths = write_templates(out)
    console.print(
        f"[bold green]テンプレートを {len(paths)} 個書き出しました[/]（{out}）: "
        + "、".join(p.name for p in paths)
    )
