"""Region of each firm for a region level (SPEC §3.1): prefecture, municipality, METI block or a
user-defined set of municipalities (custom).

``assign_regions`` is pure; ``read_region_mapping`` is the edge that reads a custom CSV.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiiki.firms.errors import FirmAnalysisError
from chiiki.reference import prefecture_block

LEVELS = ("prefecture", "municipality", "block", "custom")
LEVEL_LABELS = {
    "prefecture": "都道府県",
    "municipality": "市区町村",
    "block": "ブロック",
    "custom": "独自地域",
}


def read_region_mapping(path: str | Path) -> pl.DataFrame:
    """Read a custom region CSV with columns ``municipality_code, region_code`` (UTF-8 or CP932).

    Codes are read as text so leading zeros are kept; a 6-digit code with check digit is cut to 5.
    """
    p = Path(path)
    if not p.exists():
        raise FirmAnalysisError(f"地域定義ファイルが見つかりません: {p}。パスを確認してください。")
    data = p.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FirmAnalysisError(
            f"{p}: 文字コードを判別できません。UTF-8 または Shift_JIS で保存してください。"
        )
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise FirmAnalysisError(f"{p}: CSVとして読み込めません（{exc}）。") from exc
    return validate_region_mapping(frame, source=str(p))


def validate_region_mapping(mapping: pl.DataFrame, *, source: str = "地域定義") -> pl.DataFrame:
    """Check a custom mapping ``municipality_code → region_code`` and return it typed and unique."""
    missing = [c for c in ("municipality_code", "region_code") if c not in mapping.columns]
    if missing:
        raise FirmAnalysisError(
            f"{source}: 列 {', '.join(missing)} がありません。"
            "1行目を municipality_code,region_code としてください。"
        )
    m = mapping.select(
        pl.col("municipality_code").cast(pl.Utf8).str.strip_chars().str.zfill(5).str.slice(0, 5),
        pl.col("region_code").cast(pl.Utf8).str.strip_chars(),
    ).filter(pl.col("municipality_code").is_not_null() & pl.col("region_code").is_not_null())
    conflicts = m.unique().group_by("municipality_code").len().filter(pl.col("len") > 1)
    if conflicts.height:
        codes = ", ".join(conflicts["municipality_code"].sort().head(5).to_list())
        raise FirmAnalysisError(
            f"{source}: 同じ市区町村コードが複数の地域に割り当てられています（{codes}）。1つにしてください。"
        )
    return m.unique(subset="municipality_code", keep="first", maintain_order=True)


def region_expr(level: str) -> pl.Expr:
    """Expression giving ``region_code`` from a companies frame for the built-in levels."""
    if level == "prefecture":
        return pl.col("prefecture_code")
    if level == "municipality":
        return pl.col("municipality_code")
    if level == "block":
        return pl.col("prefecture_code").replace_strict(
            prefecture_block(), default=None, return_dtype=pl.Utf8
        )
    raise FirmAnalysisError(f"地域の単位が不正です: {level}。{' / '.join(LEVELS)} のいずれかにしてください。")


def assign_regions(
    companies: pl.DataFrame, *, level: str = "prefecture", regions: pl.DataFrame | None = None
) -> pl.Series:
    """``region_code`` of every row of ``companies`` at ``level`` (SPEC §3.1).

    For ``level="custom"`` ``regions`` maps ``municipality_code → region_code``; firms in no listed
    municipality get null (they are outside every region, so links to them are out-of-region).
    """
    if level not in LEVELS:
        raise FirmAnalysisError(
            f"地域の単位が不正です: {level}。{' / '.join(LEVELS)} のいずれかにしてください。"
        )
    if level == "custom":
        if regions is None:
            raise FirmAnalysisError("独自地域（custom）には地域定義ファイル（--regions）を指定してください。")
        mapping = validate_region_mapping(regions)
        return (
            companies.select("municipality_code")
            .join(mapping, on="municipality_code", how="left", maintain_order="left")
            .get_column("region_code")
        )
    return companies.select(region_expr(level).alias("region_code")).get_column("region_code")
