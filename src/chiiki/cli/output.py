"""Writing result frames for people: to the terminal, CSV (UTF-8 with BOM, so Excel opens it),
Excel (.xlsx), Parquet or JSON. Shared by every command group."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from chiiki.data.writers import write_table, write_xlsx

console = Console()
err_console = Console(stderr=True)

FORMATS = ("table", "csv", "json")


def spinner() -> Progress:
    """A transient spinner with elapsed time on stderr, for work of unknown length."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def progress_bar() -> Progress:
    """A transient bar with percentage and elapsed time on stderr, for work that reports progress."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a Japanese error message to stderr and return an Exit to raise."""
    err_console.print(f"[bold red]エラー:[/] {message}")
    return typer.Exit(code)


def print_frame(
    frame: pl.DataFrame, *, fmt: str = "table", title: str | None = None, limit: int = 50
) -> None:
    """Show ``frame`` as a Rich table (first ``limit`` rows), CSV or JSON records on stdout."""
    if fmt == "csv":
        typer.echo(frame.write_csv(), nl=False)
    elif fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1))
    elif fmt == "table":
        table = Table(title=title, show_lines=False)
        for name in frame.columns:
            table.add_column(name, overflow="fold")
        for row in frame.head(limit).iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
        if frame.height > limit:
            console.print(
                f"（{frame.height:,} 行のうち先頭 {limit} 行を表示。全件は --out または --format csv で）"
            )
    else:
        raise fail(f"--format は {', '.join(FORMATS)} のいずれかです: {fmt}")


def write_frame(frame: pl.DataFrame, path: Path, *, sheet: str = "結果") -> None:
    """Write ``frame`` to ``path``; the suffix picks the format (.csv, .xlsx, .parquet, .json).
    Formula-safe and streamed (:mod:`chiiki.data.writers`)."""
    try:
        write_table(frame, path, sheet=sheet)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def write_frames(frames: dict[str, pl.DataFrame], out: Path) -> list[Path]:
    """Write several named tables: one .xlsx with a sheet each, else ``<stem>_<name><suffix>`` files
    (a single table goes to ``out`` itself). Returns the paths written."""
    if out.suffix.lower() == ".xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_xlsx(frames, out)
        except ValueError as exc:
            raise fail(str(exc)) from exc
        return [out]
    paths = []
    for name, frame in frames.items():
        path = out if len(frames) == 1 else out.with_name(f"{out.stem}_{name}{out.suffix}")
        write_frame(frame, path)
        paths.append(path)
    return paths
