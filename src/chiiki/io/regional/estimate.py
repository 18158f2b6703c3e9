"""Estimated regional input–output tables (非サーベイ法による地域産業連関表, SPEC §7.1).

From a national (parent) table and the employment of a region and the nation by JSIC code
(:mod:`chiiki.io.regional.employment`), for every sector j (the rules are in docs/io.md, with sources):

1. employment by sector E_j^r, E_j^N through the concordance (:mod:`~chiiki.io.regional.concordance`);
2. output X_j^r = E_j^r · X_j^N / E_j^N (regional employment × national output per employee);
   unmapped sectors (no establishments) take the region's overall share E^r / E^N;
3. technology as the nation's: Z_ij^r = a_ij X_j^r, value added V_kj^r = (V_kj^N / X_j^N) X_j^r;
4. regional final demand: each national column times a size share of its kind (家計外消費支出 by the
   region's 家計外消費支出 row, household and government demand by population when known, else by
   employment, investment and other columns by output), keeping the national commodity mix;
5. location quotients LQ (SLQ, CILQ, FLQ, AFLQ), regional coefficients r_ij = min(LQ_ij, 1)·â_ij and
   final-demand local shares q_i = min(LQ_iF, 1)·b̂_i, where â = A and b̂ = 1 on the ``total`` basis
   (SPEC §7.1) or â = (I − M̂^N)A and b̂ = 1 − m^N on the ``domestic`` basis (the default, docs/io.md);
6. commodity balance (supply–demand pool): regional demand D_i = Σ_j a_ij X_j^r + Σ_k F_ik^r, locally
   supplied L_i = Σ_j r_ij X_j^r + q_i Σ_k F_ik^r, capped to 0 ≤ L_i ≤ min(X_i^r, D_i);
   移輸入 M_i = D_i − L_i and 移輸出 E_i = X_i^r − L_i (for D_i ≤ 0, which negative national entries
   such as scrap flows or 在庫純増 can give: M_i = 0, E_i = X_i^r − D_i);
7. non-traded sectors (建設, 不動産, 公務, 医療・福祉 in prefecture-level regions by default; a setting):
   their final demand is scaled so that D_i = X_i^r, and M_i = E_i = 0 (where X_i^r > 0, the final
   demand is positive and X_i^r ≥ Σ_j Z_ij; otherwise step 6 applies).

The result is a competitive-import table of the SPEC §5 contract (one 移輸出 and one （控除）移輸入
column): rows and columns balance exactly and its import ratio is m_i = M_i / D_i, so the ripple
engine uses the LQ-based local shares (I − M̂) unchanged. Every figure is an estimate; the table's
:meth:`RegionalTable.long_frame` says for each cell how it was estimated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from chiiki.io.checks import check_table
from chiiki.io.errors import IOTableError
from chiiki.io.final_demand import final_demand_kind
from chiiki.io.regional import concordance as cc
from chiiki.io.regional import lq as lqm
from chiiki.io.regional.employment import EmploymentBasis
from chiiki.io.regional.regions import Region
from chiiki.io.table import IOTable

DEFAULT_METHOD = "flq"
DEFAULT_DELTA = 0.05
"""Default FLQ δ, chosen from the measured errors against 宮崎県's 2011 table (docs/io.md)."""
DEFAULT_BASIS = "domestic"
"""LQs apply to the national domestic coefficients (I − M̂)A by default: against 宮崎県's table this
cut the coefficient error (STPE) by 6–11 points for every method (docs/io.md)."""
BASES = {"total": "全国の投入係数 A", "domestic": "全国の国産品投入係数 (I − M̂)A"}
NON_TRADED = ("41", "55", "61", "64")
"""Sectors (2015 codes; a 37-sector code covers its 185-sector parts) with no 移輸出入 in a
prefecture-level table by default: 建設, 不動産, 公務, 医療・福祉. Their output is used where it is
made (宮崎県 2011: 移輸出 and 移輸入 under 0.01 % of their output; docs/io.md)."""
EXPORT_NAME = "移輸出"
IMPORT_NAME = "（控除）移輸入"
EMPLOYMENT_NAME = "従業者数（推計）"


@dataclass(frozen=True)
class RegionalSettings:
    """How a regional table is estimated: LQ ``method`` and FLQ ``delta`` (SPEC §7.1), the coefficient
    ``basis`` the LQs apply to (``total`` or ``domestic``), and an optional ``population_share`` of
    the region (household and government final demand; employment share when None)."""

    method: str = DEFAULT_METHOD
    delta: float = DEFAULT_DELTA
    basis: str = DEFAULT_BASIS
    population_share: float | None = None
    non_traded: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.non_traded is not None:
            object.__setattr__(self, "non_traded", tuple(str(c).strip() for c in self.non_traded))
        object.__setattr__(self, "method", lqm.check_method(self.method))
        lqm.check_delta(self.delta)
        if self.basis not in BASES:
            raise IOTableError(
                f"係数の基準「{self.basis}」は使えません。total か domestic を指定してください。"
            )
        if self.population_share is not None and not (0 < self.population_share <= 1):
            raise IOTableError(
                f"人口シェア {self.population_share} は 0 より大きく 1 以下で指定してください。"
            )

    @property
    def label(self) -> str:
        """e.g. ``FLQ（δ = 0.3）``."""
        name = lqm.METHOD_LABELS[self.method]
        return f"{name}（δ = {self.delta:g}）" if self.method in ("flq", "aflq") else name


@dataclass(frozen=True)
class SectorEmployment:
    """Employment by sector of the table for every region of a basis (from the concordance)."""

    regional: np.ndarray  # R × n
    national: np.ndarray  # n
    mapped: np.ndarray  # n, bool: the sector has JSIC codes
    majors: np.ndarray  # n × majors: share of each sector's employment by JSIC 大分類
    major_codes: tuple[str, ...]
    unplaced: tuple[str, ...]  # JSIC codes the concordance could not place


def sector_employment(
    national_table: IOTable, basis: EmploymentBasis, concordance: pl.DataFrame | None = None
) -> SectorEmployment:
    """E^r (every region) and E^N by sector of ``national_table``: W from the concordance, once."""
    conc = cc.concordance_for(national_table) if concordance is None else concordance
    W, unplaced = cc.allocation_matrix(conc, national_table, list(basis.jsic_codes), basis.national)
    majors, major_codes = cc.major_shares(W, list(basis.jsic_codes), basis.national)
    return SectorEmployment(
        regional=basis.regional @ W,
        national=basis.national @ W,
        mapped=cc.mapped_sectors(conc, national_table) & (basis.national @ W > 0),
        majors=majors,
        major_codes=tuple(major_codes),
        unplaced=tuple(unplaced),
    )


@dataclass(frozen=True)
class RegionalTable:
    """An estimated regional table and how it was made (SPEC §7.1).

    ``table`` is a checked :class:`IOTable` (employment row = ``employment``); ``lq`` the uncapped
    n × n LQ matrix, ``final_lq`` the LQs for final demand; ``source`` the employment source and
    ``national_source`` the parent table; ``notes`` the assumptions a reader should see.
    """

    table: IOTable
    region: Region
    settings: RegionalSettings
    lq: np.ndarray
    final_lq: np.ndarray
    employment: np.ndarray
    national_employment: np.ndarray
    slq: np.ndarray
    source: str
    national_source: str
    majors: np.ndarray
    major_codes: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def method_text(self) -> str:
        """One Japanese sentence: what was estimated, from what, by which method."""
        return (
            f"{self.region.name}の産業連関表（推計）: {self.national_source}を、{self.source}で地域化"
            f"（{self.settings.label}、{BASES[self.settings.basis]}に適用、移輸出入は需給バランス）。"
        )

    def provenance(self) -> pl.DataFrame:
        """How each block of the table was estimated: ``項目, 状態, 推計方法, 出典``."""
        how = {
            "生産額": "地域の従業者数 × 全国の従業者1人当たり生産額",
            "中間投入": "全国の投入係数 × 地域の生産額（全国と同じ技術）",
            "粗付加価値": "全国の付加価値率 × 地域の生産額",
            "最終需要": "全国の最終需要 × 地域の規模シェア（項目ごと、docs/io.md）。移輸出入のない部門は域内生産額に合わせて調整",
            "移輸入": f"{self.settings.label} による域内調達率と需給バランス（移輸出入のない部門は0）",
            "移輸出": "地域の生産額 − 域内への供給（需給バランス、移輸出入のない部門は0）",
            "従業者数": self.source,
        }
        source = f"{self.national_source}; {self.source}"
        return pl.DataFrame(
            {
                "項目": list(how),
                "状態": ["推計"] * len(how),
                "推計方法": list(how.values()),
                "出典": [source] * len(how),
            }
        )

    def sector_frame(self) -> pl.DataFrame:
        """Per sector, for people: 部門, 従業者数, 特化係数, 生産額, 域内需要, 移輸出, 移輸入, 純移輸出,
        域内調達率 (1 − m)."""
        t = self.table
        demand = t.Z.sum(axis=1) + t.final_demand.sum(axis=1)
        exports, imports = t.exports.sum(axis=1), 0.0 - t.imports.sum(axis=1)
        return pl.DataFrame(
            {
                "部門": list(t.sectors),
                "従業者数（人）": np.rint(self.employment),
                "特化係数": self.slq,
                f"生産額（{t.unit}）": t.X,
                f"域内需要（{t.unit}）": demand,
                f"移輸出（{t.unit}）": exports,
                f"移輸入（{t.unit}）": imports,
                f"純移輸出（{t.unit}）": exports - imports,
                "域内調達率": 1.0 - t.m,
            }
        )

    def long_frame(self) -> pl.DataFrame:
        """The table in the long form of SPEC §5 (``value_M`` when the unit is 百万円), with two more
        columns a reader can keep: ``status`` (推計) and ``method`` (how that cell was estimated).
        :func:`chiiki.io.read_io_table` reads it back (extra columns are ignored)."""
        t = self.table
        cells = []
        blocks = [
            ("industry", t.sectors, "industry", t.sectors, t.Z, "中間投入: 全国の投入係数 × 地域の生産額"),
            (
                "industry",
                t.sectors,
                "finaldemand",
                t.final_demand_names,
                t.final_demand,
                "最終需要: 全国の最終需要 × 地域の規模シェア",
            ),
            ("industry", t.sectors, "export", t.export_names, t.exports, "移輸出: 生産額 − 域内への供給"),
            (
                "industry",
                t.sectors,
                "import",
                t.import_names,
                t.imports,
                f"移輸入: {self.settings.label} と需給バランス",
            ),
            (
                "valueadded",
                t.value_added_names,
                "industry",
                t.sectors,
                t.value_added,
                "粗付加価値: 全国の付加価値率 × 地域の生産額",
            ),
        ]
        for in_type, rows, out_type, columns, values, how in blocks:
            r, c = np.meshgrid(np.arange(len(rows)), np.arange(len(columns)), indexing="ij")
            cells.append(
                pl.DataFrame(
                    {
                        "input_type": in_type,
                        "input_name": np.asarray(rows, dtype=object)[r.ravel()],
                        "output_type": out_type,
                        "output_name": np.asarray(columns, dtype=object)[c.ravel()],
                        "value": values.ravel(),
                        "method": how,
                    },
                    schema_overrides={"input_name": pl.Utf8, "output_name": pl.Utf8},
                )
            )
        cells.append(
            pl.DataFrame(
                {
                    "input_type": "employment",
                    "input_name": EMPLOYMENT_NAME,
                    "output_type": "industry",
                    "output_name": list(t.sectors),
                    "value": self.employment,
                    "method": f"従業者数（人）: {self.source}",
                }
            )
        )
        value = "value_M" if t.unit == "百万円" else "value"
        diagonal = (
            (pl.col("input_type") == "industry")
            & (pl.col("output_type") == "industry")
            & (pl.col("input_name") == pl.col("output_name"))
        )
        return (
            pl.concat(cells)
            .with_columns(diagonal=diagonal)
            .filter((pl.col("value") != 0) | pl.col("diagonal"))
            # the diagonal comes first and stays when 0, so a sector without output keeps its row, its
            # column and its place (the reader orders sectors by first appearance)
            .sort("diagonal", descending=True, maintain_order=True)
            .with_columns(status=pl.lit("推計"))
            .rename({"value": value})
            .select("input_type", "input_name", "output_type", "output_name", value, "status", "method")
        )


def _demand_shares(
    national: IOTable, x_regional: np.ndarray, employment_share: float, population_share: float | None
) -> np.ndarray:
    """The size share that scales each national final-demand column (step 4 of the module docstring)."""
    output_share = float(x_regional.sum() / national.X.sum())
    business_rows = [i for i, n in enumerate(national.value_added_names) if "家計外" in n]
    if business_rows:
        row = national.value_added[business_rows].sum(axis=0)
        coefficient = np.divide(row, national.X, out=np.zeros_like(row), where=national.X > 0)
        business_share = float((coefficient @ x_regional) / row.sum()) if row.sum() > 0 else output_share
    else:
        business_share = output_share
    people = employment_share if population_share is None else population_share
    by_kind = {
        "business": business_share,
        "household": people,
        "government": people,
        "investment": output_share,
        "other": output_share,
    }
    return np.array([by_kind[final_demand_kind(n)] for n in national.final_demand_names])


def non_traded_mask(national: IOTable, region: Region, settings: RegionalSettings) -> np.ndarray:
    """The sectors of ``national`` without 移輸出入 (step 7): ``settings.non_traded`` codes, or by
    default :data:`NON_TRADED` for prefecture-level regions and none below (people cross municipal
    borders for hospitals, housing and building work)."""
    codes = settings.non_traded
    if codes is None:
        codes = () if region.is_municipal else NON_TRADED
    sector = cc.sector_codes(national)
    wanted = set(codes)
    mask = np.array([c in wanted or cc.code_37(c) in wanted for c in sector], dtype=bool)
    matched = set(sector) | {cc.code_37(c) for c in sector}
    unknown = [c for c in codes if c not in matched]
    if settings.non_traded is not None and unknown:
        raise IOTableError(
            f"移輸出入のない部門のコード {', '.join(unknown)} が表にありません。表の部門コードで指定してください。",
            [f"部門の例: {', '.join(national.sectors[:5])} …"],
        )
    return mask


def estimate_table(
    national: IOTable,
    region: Region,
    regional_employment: np.ndarray,
    national_employment: np.ndarray,
    mapped: np.ndarray,
    settings: RegionalSettings,
) -> tuple[IOTable, np.ndarray, np.ndarray, np.ndarray]:
    """The balanced regional :class:`IOTable` (steps 2–6) and its LQ matrix, final-demand LQs and SLQ.

    ``regional_employment`` and ``national_employment`` are by sector of ``national``; ``mapped``
    marks the sectors with JSIC codes (the others are neutral).
    """
    if national.is_interregional:
        raise IOTableError("地域間表からは地域表を推計できません。1地域（全国）の表を指定してください。")
    e_r = np.where(mapped, regional_employment, 0.0)
    e_n = np.where(mapped, national_employment, 0.0)
    total_r, total_n = e_r.sum(), e_n.sum()
    if total_r <= 0:
        raise IOTableError(f"{region.name}の従業者数が0です。地域の指定とデータを確認してください。")
    employment_share = float(total_r / total_n)
    share = np.where(mapped, np.divide(e_r, e_n, out=np.zeros_like(e_r), where=e_n > 0), employment_share)
    x = national.X * share  # step 2
    A = national.A
    va_coefficients = national.value_added / national.X[np.newaxis, :]
    F = national.final_demand * _demand_shares(national, x, employment_share, settings.population_share)
    Z = A * x[np.newaxis, :]
    lq = lqm.lq_matrix(e_r, e_n, method=settings.method, delta=settings.delta)
    final_lq = lqm.final_demand_lq(e_r, e_n, method=settings.method, delta=settings.delta)
    keep = 1.0 - national.m if settings.basis == "domestic" else np.ones(national.n)
    R = lqm.regional_coefficients(keep[:, np.newaxis] * A, lq)
    q = np.minimum(final_lq, 1.0) * keep
    own = non_traded_mask(national, region, settings) & (x > 0) & (F.sum(axis=1) > 0) & (x >= Z.sum(axis=1))
    fd_total = F.sum(axis=1)
    scale = np.where(own, (x - Z.sum(axis=1)) / np.where(own, fd_total, 1.0), 1.0)
    F = F * scale[:, np.newaxis]  # step 7: a non-traded sector's final demand takes up its output
    demand = Z.sum(axis=1) + F.sum(axis=1)
    local = np.clip(R @ x + q * F.sum(axis=1), 0.0, np.maximum(np.minimum(x, demand), 0.0))
    local = np.where(own, x, local)
    imports = np.where(own | (demand <= 0), 0.0, demand - local)
    exports = np.where(own, 0.0, np.where(demand > 0, x - local, x - demand))  # row balance: X = D + E − M
    table = IOTable(
        sectors=national.sectors,
        Z=Z,
        final_demand=F,
        final_demand_names=national.final_demand_names,
        exports=exports[:, np.newaxis],
        export_names=(EXPORT_NAME,),
        imports=-imports[:, np.newaxis],
        import_names=(IMPORT_NAME,),
        value_added=va_coefficients * x[np.newaxis, :],
        value_added_names=national.value_added_names,
        employment=e_r,
        unit=national.unit,
        settings=national.settings,
    )
    check_table(table)
    return table, lq, final_lq, lqm.simple_lq(e_r, e_n)


def regionalize(
    national: IOTable,
    basis: EmploymentBasis,
    region: Region,
    *,
    settings: RegionalSettings | None = None,
    concordance: pl.DataFrame | None = None,
    national_source: str = "全国産業連関表",
    sectors: SectorEmployment | None = None,
) -> RegionalTable:
    """The estimated table of ``region`` (a row of ``basis``) from ``national`` (SPEC §7.1).

    ``sectors`` (from :func:`sector_employment`) can be passed when many regions share one basis, so
    the concordance is applied once.
    """
    settings = settings or RegionalSettings()
    sectors = sectors or sector_employment(national, basis, concordance)
    row = basis.regions.index(region.code) if region.code in basis.regions else None
    if row is None:
        raise IOTableError(f"{region.name}（{region.code}）の従業者数がありません。")
    table, lq, final_lq, slq = estimate_table(
        national, region, sectors.regional[row], sectors.national, sectors.mapped, settings
    )
    notes = list(basis.notes)
    if sectors.unplaced:
        notes.append(f"部門に対応しない JSIC コードの従業者は除きました: {', '.join(sectors.unplaced)}")
    unmapped = [s for s, m in zip(national.sectors, sectors.mapped, strict=True) if not m]
    if unmapped:
        notes.append(
            "事業所のない部門（"
            + "、".join(unmapped)
            + "）は地域の従業者シェアで生産額を按分しました（特化係数 1）。"
        )
    kept = non_traded_mask(national, region, settings) & (table.X > 0)
    kept &= (table.exports[:, 0] == 0) & (table.imports[:, 0] == 0)
    if kept.any():
        notes.append(
            "移輸出入のない部門として扱い、最終需要を域内生産額に合わせました: "
            + "、".join(s for s, k in zip(table.sectors, kept, strict=True) if k)
            + "。"
        )
    absent = [s for s, x in zip(table.sectors, table.X, strict=True) if x == 0]
    if absent:
        notes.append(f"域内生産のない部門が {len(absent)} あります（需要はすべて移輸入）。")
    return RegionalTable(
        table=table,
        region=region,
        settings=settings,
        lq=lq,
        final_lq=final_lq,
        employment=table.employment,
        national_employment=np.where(sectors.mapped, sectors.national, 0.0),
        slq=slq,
        source=basis.source,
        national_source=national_source,
        majors=sectors.majors,
        major_codes=sectors.major_codes,
        notes=tuple(notes),
    )
