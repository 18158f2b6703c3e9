"""Which area a regional table is for (SPEC §7.1): a prefecture, a municipality, a METI block, or a
user-defined set of municipalities, resolved against the shipped reference tables (SPEC §1).

A 政令指定都市 stands for itself and its wards (firm data may record either code).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.io.errors import IOTableError

KIND_LABELS = {
    "prefecture": "都道府県",
    "municipality": "市区町村",
    "block": "ブロック",
    "custom": "独自地域",
}


@dataclass(frozen=True)
class Region:
    """An area: ``code``, ``name``, ``kind`` (prefecture / municipality / block / custom), the
    prefectures it lies in and, below prefecture level, its municipality codes (5 digits)."""

    code: str
    name: str
    kind: str
    prefectures: tuple[str, ...]
    municipalities: tuple[str, ...] | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def is_municipal(self) -> bool:
        """True when the area is below prefecture level (needs municipal data)."""
        return self.municipalities is not None


def _municipality_code(text: str) -> str:
    code = str(text).strip()
    return code[:5] if len(code) == 6 and code.isdigit() else code.zfill(5) if code.isdigit() else code


def _members(municipalities: pl.DataFrame, code: str) -> tuple[str, ...]:
    """``code`` and, for a designated city, its wards (same prefecture, name starting with the city's)."""
    row = municipalities.filter(pl.col("municipality_code") == code).row(0, named=True)
    if row["kind"] != "designated_city":
        return (code,)
    wards = municipalities.filter(
        (pl.col("kind") == "ward")
        & (pl.col("prefecture_code") == row["prefecture_code"])
        & pl.col("name").str.starts_with(row["name"])
    )
    return (code, *wards["municipality_code"].to_list())


def resolve_region(code: str | None, municipalities: list[str] | None = None) -> Region:
    """The :class:`Region` named by ``code``, or the set ``municipalities`` (then ``code`` is its name).

    ``code``: a prefecture ("07" or 福島県), a municipality (5 digits, or 6 with the check digit), or a
    block (``tohoku`` or 東北). Unknown codes raise :class:`IOTableError` saying what is accepted.
    """
    from chiiki.reference import blocks, prefectures
    from chiiki.reference import municipalities as municipality_table

    munis = municipality_table()
    if municipalities:
        codes = [_municipality_code(c) for c in municipalities if str(c).strip()]
        known = set(munis["municipality_code"])
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise IOTableError(
                "市区町村コードが見つかりません。5桁（または検査数字付き6桁）の全国地方公共団体コードで指定してください。",
                [f"不明なコード: {c}" for c in unknown],
            )
        members = tuple(dict.fromkeys(m for c in codes for m in _members(munis, c)))
        prefs = tuple(sorted({c[:2] for c in members}))
        name = (code or "").strip() or "独自地域（" + "・".join(
            munis.filter(pl.col("municipality_code").is_in(codes))["name"].to_list()[:5]
        ) + ("…）" if len(codes) > 5 else "）")
        return Region(
            code=(code or "custom").strip() or "custom",
            name=name,
            kind="custom",
            prefectures=prefs,
            municipalities=members,
        )
    if code is None or not str(code).strip():
        raise IOTableError(
            "地域を指定してください（都道府県コード・市区町村コード・ブロック、または市区町村の一覧）。"
        )
    text = str(code).strip()
    if not text.isdigit() or len(text) <= 2:
        prefs = prefectures().filter((pl.col("prefecture_code") == text.zfill(2)) | (pl.col("name") == text))
        if prefs.height:
            row = prefs.row(0, named=True)
            return Region(row["prefecture_code"], row["name"], "prefecture", (row["prefecture_code"],))
    if text.isdigit() and len(text) in (5, 6):
        muni = _municipality_code(text)
        found = munis.filter(pl.col("municipality_code") == muni)
        if found.height:
            row = found.row(0, named=True)
            return Region(muni, row["name"], "municipality", (row["prefecture_code"],), _members(munis, muni))
    block = blocks().filter((pl.col("block_code") == text.lower()) | (pl.col("name") == text))
    if block.height:
        row = block.row(0, named=True)
        return Region(row["block_code"], row["name"], "block", tuple(row["prefecture_codes"]))
    raise IOTableError(
        f"地域「{text}」が見つかりません。都道府県コード（例: 07）、市区町村コード（例: 07201）、"
        "ブロック（例: tohoku または 東北）で指定してください。"
    )


def region_population_share(region: Region) -> float | None:
    """The region's share of Japan's population (2020 census, shipped), for prefectures and blocks;
    None below prefecture level (no municipal population is shipped)."""
    if region.is_municipal:
        return None
    from chiiki.reference import prefectures

    prefs = prefectures()
    total = prefs["population_2020"].sum()
    part = prefs.filter(pl.col("prefecture_code").is_in(list(region.prefectures)))["population_2020"].sum()
    return float(part / total)
