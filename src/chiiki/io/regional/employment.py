"""Regional employment by JSIC code, the input of the location quotients (SPEC §7.1), from one of
three sources, each stated on the estimate:

- **census**: 経済センサス‐基礎調査 (2014) employees by JSIC 小分類 for prefectures and the nation
  (the ``regional_census_2012_2014.csv`` layout, read by :func:`chiiki.industry.matrix_from_census`);
  a block or a set of prefectures is the sum of its prefectures.
- **firms**: a firm data set's ``employees`` by municipality and JSIC 中分類 (SPEC §2); the nation is
  every firm of the same data set, so both sides are measured alike. Needs a data set that covers
  all 47 prefectures.
- **nested** (census + firms): the prefecture's census employment of each 小分類, shared out to its
  municipalities in proportion to the firm data's employees of the same 中分類
  (E_c^m = E_c^P · F_k^m / F_k^P, k = 中分類 of c; where the data set has no firm of k in P, by the
  municipality's share of all the prefecture's firm employees). The nation is the census.

Everything here is a few group-bys and array products over all regions at once (no loop over firms).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.regional.regions import Region

CENSUS_SOURCE = "経済センサス‐基礎調査（2014年）の従業者数（JSIC 小分類）"
NATIONAL = "00"


@dataclass(frozen=True)
class EmploymentBasis:
    """Employment (persons) by JSIC code for named regions (rows) and the nation, from one source.

    ``regional`` is ``R × K`` (``regions`` × ``jsic_codes``), ``national`` is ``K``; ``source`` says
    in Japanese where the numbers come from and ``notes`` what was assumed.
    """

    regions: tuple[str, ...]
    jsic_codes: tuple[str, ...]
    regional: np.ndarray
    national: np.ndarray
    source: str
    notes: tuple[str, ...] = ()

    def row(self, region: str) -> np.ndarray:
        """The employment of ``region`` by JSIC code."""
        if region not in self.regions:
            raise IOTableError(f"地域「{region}」の従業者数がありません。")
        return self.regional[self.regions.index(region)]


def census_employees(census: pl.DataFrame) -> pl.DataFrame:
    """``region_code, jsic_code, employees`` (小分類) of a frame from
    :func:`chiiki.industry.matrix_from_census` (region ``"00"`` is the nation)."""
    return census.filter(
        (pl.col("measure") == "employees") & pl.col("industry_code").str.contains(r"^\d{3}$")
    ).select("region_code", jsic_code=pl.col("industry_code"), employees=pl.col("value").fill_null(0.0))


def _census_matrix(census: pl.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
    """(region codes, JSIC codes, region × code array) of the census employees."""
    frame = census_employees(census)
    wide = frame.pivot(
        on="jsic_code", index="region_code", values="employees", aggregate_function="sum"
    ).fill_null(0.0)
    codes = sorted(c for c in wide.columns if c != "region_code")
    return wide["region_code"].to_list(), codes, wide.select(codes).to_numpy().astype(float)


def census_basis(census: pl.DataFrame, regions: list[Region]) -> EmploymentBasis:
    """Prefecture-level regions (prefectures, blocks, sets of prefectures) from the census."""
    areas, codes, values = _census_matrix(census)
    if NATIONAL not in areas:
        raise IOTableError("経済センサスの表に全国（AreaID 00000）の行がありません。")
    index = {a: i for i, a in enumerate(areas)}
    rows = []
    for region in regions:
        missing = [p for p in region.prefectures if p not in index]
        if missing:
            raise IOTableError(
                f"経済センサスの表に{region.name}の都道府県の行がありません: {', '.join(missing)}。"
                "その都道府県を含む表を使うか、企業データ（全国）で推計してください。"
            )
        rows.append(values[[index[p] for p in region.prefectures]].sum(axis=0))
    return EmploymentBasis(
        regions=tuple(r.code for r in regions),
        jsic_codes=tuple(codes),
        regional=np.vstack(rows) if rows else np.zeros((0, len(codes))),
        national=values[index[NATIONAL]],
        source=CENSUS_SOURCE,
    )


def firm_employees(companies: pl.DataFrame, *, fiscal_year: int | None = None) -> tuple[pl.DataFrame, int]:
    """``prefecture_code, municipality_code, jsic_code, employees`` summed over the firms of one
    fiscal year (default the latest), and that year. Firms without ``employees`` count as 0."""
    if "employees" not in companies.columns or companies["employees"].null_count() == companies.height:
        raise IOTableError(
            "企業データに従業者数（employees）がありません。従業者数のある企業データを使ってください。"
        )
    year = int(companies["fiscal_year"].max()) if fiscal_year is None else int(fiscal_year)
    frame = (
        companies.filter(pl.col("fiscal_year") == year)
        .group_by("prefecture_code", "municipality_code", "jsic_code")
        .agg(employees=pl.col("employees").fill_null(0).sum().cast(pl.Float64))
    )
    if frame.height == 0:
        raise IOTableError(f"企業データに {year} 年度の企業がありません。年度を確認してください。")
    return frame, year


def _firm_matrix(firms: pl.DataFrame, key: str) -> tuple[list[str], list[str], np.ndarray]:
    wide = firms.pivot(on="jsic_code", index=key, values="employees", aggregate_function="sum").fill_null(0.0)
    codes = sorted(c for c in wide.columns if c != key)
    return wide[key].to_list(), codes, wide.select(codes).to_numpy().astype(float)


def _membership(areas: list[str], regions: list[Region]) -> np.ndarray:
    """R × (areas) 0/1 matrix: which municipalities belong to which region."""
    index = {a: i for i, a in enumerate(areas)}
    G = np.zeros((len(regions), len(areas)))
    for r, region in enumerate(regions):
        G[r, [index[m] for m in region.municipalities or () if m in index]] = 1.0
    return G


def firm_basis(
    companies: pl.DataFrame, regions: list[Region], *, fiscal_year: int | None = None
) -> EmploymentBasis:
    """Regions of municipalities from the firm data alone; the nation is all firms of the data set."""
    firms, year = firm_employees(companies, fiscal_year=fiscal_year)
    covered = firms["prefecture_code"].n_unique()
    if covered < 47:
        raise IOTableError(
            f"企業データが {covered} 都道府県分しかないため、全国の値を企業データから作れません。"
            "経済センサスの表（--census）も指定してください（都道府県の値をセンサス、市区町村への配分を企業データで行います）。"
        )
    areas, codes, values = _firm_matrix(firms, "municipality_code")
    G = _membership(areas, regions)
    return EmploymentBasis(
        regions=tuple(r.code for r in regions),
        jsic_codes=tuple(codes),
        regional=G @ values,
        national=values.sum(axis=0),
        source=f"企業データ（{year}年度）の従業者数（JSIC 中分類）。全国の値も同じ企業データの合計",
    )


def nested_basis(
    census: pl.DataFrame, companies: pl.DataFrame, regions: list[Region], *, fiscal_year: int | None = None
) -> EmploymentBasis:
    """Municipal regions: census employment of each prefecture, shared out by the firm data."""
    firms, year = firm_employees(companies, fiscal_year=fiscal_year)
    areas, minor_codes, census_values = _census_matrix(census)
    if NATIONAL not in areas:
        raise IOTableError("経済センサスの表に全国（AreaID 00000）の行がありません。")
    pref_index = {a: i for i, a in enumerate(areas)}
    needed = sorted({p for r in regions for p in r.prefectures})
    missing = [p for p in needed if p not in pref_index]
    if missing:
        raise IOTableError(
            f"経済センサスの表にない都道府県があります: {', '.join(missing)}。企業データだけで推計するには全国の企業データが必要です。"
        )
    munis, middle_codes, firm_values = _firm_matrix(firms, "municipality_code")
    pref_of = np.array([m[:2] for m in munis])
    # the firm employees of each municipality's prefecture, by 中分類 and in all
    pref_firms = {p: firm_values[pref_of == p].sum(axis=0) for p in needed}
    middle_pos = {c: i for i, c in enumerate(middle_codes)}
    column = np.array([middle_pos.get(c[:2], -1) for c in minor_codes])
    shares = np.zeros((len(munis), len(minor_codes)))
    census_rows = np.zeros((len(munis), len(minor_codes)))
    for p in needed:  # one vectorised block per prefecture (≤ 47), never per firm
        rows = np.flatnonzero(pref_of == p)
        if rows.size == 0:
            continue
        total = pref_firms[p].sum()
        overall = firm_values[rows].sum(axis=1) / total if total > 0 else np.zeros(rows.size)
        by_middle = np.divide(
            firm_values[rows],
            pref_firms[p],
            out=np.full((rows.size, len(middle_codes)), np.nan),
            where=pref_firms[p] > 0,
        )
        picked = np.where(column >= 0, by_middle[:, np.maximum(column, 0)], np.nan)
        shares[rows] = np.where(np.isnan(picked), overall[:, np.newaxis], picked)
        census_rows[rows] = census_values[pref_index[p]]
    G = _membership(munis, regions)
    return EmploymentBasis(
        regions=tuple(r.code for r in regions),
        jsic_codes=tuple(minor_codes),
        regional=G @ (census_rows * shares),
        national=census_values[pref_index[NATIONAL]],
        source=(
            f"{CENSUS_SOURCE}を、企業データ（{year}年度）の従業者数の比率（JSIC 中分類ごと）で市区町村に配分"
        ),
        notes=(
            "企業データに都道府県内の企業がない中分類は、その市区町村の企業従業者数の比率で配分しました。",
        ),
    )


def employment_basis(
    regions: list[Region],
    *,
    census: pl.DataFrame | None = None,
    companies: pl.DataFrame | None = None,
    fiscal_year: int | None = None,
) -> EmploymentBasis:
    """The basis for ``regions`` from what the user has: census for prefecture-level areas, census +
    firms (nested) or firms alone (national data sets) below prefecture level."""
    municipal = [r.is_municipal for r in regions]
    if any(municipal) and not all(municipal):
        raise IOTableError("都道府県単位の地域と市区町村単位の地域は別々に推計してください。")
    if not regions:
        raise IOTableError("推計する地域がありません。")
    if not municipal[0]:
        if census is not None:
            return census_basis(census, regions)
        if companies is not None:
            prefecture_sets = [
                Region(r.code, r.name, "custom", r.prefectures, _prefecture_members(companies, r.prefectures))
                for r in regions
            ]
            return firm_basis(companies, prefecture_sets, fiscal_year=fiscal_year)
        raise IOTableError(
            "都道府県・ブロックの推計には経済センサスの表（--census）か企業データ（--data）が必要です。"
        )
    if companies is None:
        raise IOTableError(
            "市区町村の推計には企業データ（--data、従業者数のあるもの）が必要です。"
            "経済センサスの表は都道府県単位のため、市区町村には配分できません。"
        )
    if census is not None:
        return nested_basis(census, companies, regions, fiscal_year=fiscal_year)
    return firm_basis(companies, regions, fiscal_year=fiscal_year)


def _prefecture_members(companies: pl.DataFrame, prefectures: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        companies.filter(pl.col("prefecture_code").is_in(list(prefectures)))["municipality_code"]
        .unique()
        .sort()
    )
