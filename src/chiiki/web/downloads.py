"""Downloads under every table and chart (issue #13 item 5): a table as CSV or Excel through the
formula-safe writers (:mod:`chiiki.data.writers`), a chart as its SVG document.

A page passes ``download=<key>&format=csv|xlsx|svg`` to itself; it builds the same (already scoped
and suppressed) frames it shows and answers with :func:`download_response` instead of the page, so a
download never holds more than the reader sees.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from urllib.parse import quote

import polars as pl
from fastapi.responses import Response

from chiiki.data.writers import write_csv, write_xlsx
from chiiki.services.access import AccessDeniedError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx", "svg")


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def table_response(frame: pl.DataFrame, *, fmt: str, filename: str, sheet: str = "表") -> Response:
    """``frame`` (Japanese headers) as a CSV (UTF-8 with BOM) or Excel download named ``filename``
    (without extension)."""
    buf = io.BytesIO()
    if fmt == "csv":
        write_csv(frame, buf)
        media = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        write_xlsx({sheet[:31]: frame}, buf)
        media = XLSX
    else:
        raise AccessDeniedError(
            f"表は CSV か Excel でダウンロードできます（形式「{fmt}」は使えません）。", status_code=422
        )
    return Response(
        buf.getvalue(), media_type=media, headers={"Content-Disposition": _disposition(f"{filename}.{fmt}")}
    )


def svg_response(svg: str, *, filename: str) -> Response:
    """A chart as a standalone SVG download."""
    text = str(svg)
    if 'xmlns="http://www.w3.org/2000/svg"' not in text:
        text = text.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + text,
        media_type="image/svg+xml",
        headers={"Content-Disposition": _disposition(f"{filename}.svg")},
    )


def download_response(
    key: str,
    fmt: str | None,
    *,
    tables: Mapping[str, tuple[str, pl.DataFrame]] | None = None,
    charts: Mapping[str, tuple[str, str]] | None = None,
) -> Response:
    """The download ``key`` of a page: one of ``tables`` (key → (file name, frame)) as CSV/Excel, or
    one of ``charts`` (key → (file name, svg)) as SVG. A Japanese 404 for an unknown key."""
    tables, charts = tables or {}, charts or {}
    if key in tables:
        name, frame = tables[key]
        return table_response(frame, fmt=fmt or "csv", filename=name, sheet=name)
    if key in charts:
        name, svg = charts[key]
        return svg_response(svg, filename=name)
    known = "、".join([*tables, *charts]) or "なし"
    raise AccessDeniedError(
        f"ダウンロード「{key}」はこのページにありません（このページの表と図: {known}）。", status_code=404
    )


def labelled(frame: pl.DataFrame, labels: Mapping[str, str]) -> pl.DataFrame:
    """The columns of ``labels`` present in ``frame``, renamed to their Japanese labels."""
    cols = [c for c in labels if c in frame.columns]
    return frame.select(cols).rename({c: labels[c] for c in cols})
