"""``IOTable``: a frozen, labelled input–output table and its derived coefficients (SPEC §5).

The table holds only what was read (blocks and labels); every coefficient is computed on first use by
the pure functions of :mod:`chiiki.io.coefficients` and cached. Nothing is mutated after load: the
arrays are read-only.

Industries are labelled by ``sectors`` and, in an interregional table, also by ``regions`` (one region
per industry row, so an industry is a region × sector pair). Final-demand, export and import columns
carry a name and, in an interregional table, the region whose demand they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import polars as pl

from chiiki.io import coefficients as co
from chiiki.io.errors import IOTableError

DEFAULT_INCOME_ROW = "雇用者所得"
DEFAULT_CONSUMPTION_COLUMN = "民間消費支出"

UNIT_SUFFIXES = {"": "", "M": "百万円", "K": "千円", "T": "千円", "B": "十億円", "Y": "円"}
"""``value_<suffix>`` column name → unit (SPEC §5: ``value_M`` = 百万円)."""


@dataclass(frozen=True)
class IOSettings:
    """Which rows and columns play which role (SPEC §5); names match exactly or as a unique part.

    ``income_row`` is the value-added row of 雇用者所得, ``consumption_column`` the final-demand column
    of 民間消費支出, ``employment_row`` an optional row of jobs (persons) per industry, and
    ``balance_tolerance`` the relative gap allowed between an industry's row and column totals.
    """

    income_row: str = DEFAULT_INCOME_ROW
    consumption_column: str = DEFAULT_CONSUMPTION_COLUMN
    employment_row: str | None = None
    balance_tolerance: float = 1e-6


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.flags.writeable = False
    return a


def find_label(names: tuple[str, ...] | list[str], wanted: str, *, what: str) -> int:
    """Index of ``wanted`` in ``names``: an exact match, else the one name that contains it."""
    names = list(names)
    if wanted in names:
        return names.index(wanted)
    partial = [i for i, name in enumerate(names) if wanted in name]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise IOTableError(
            f"{what}「{wanted}」が表にありません。設定で正しい名前を指定してください。",
            [f"候補: {', '.join(names)}"] if names else [],
        )
    raise IOTableError(
        f"{what}「{wanted}」に当てはまる名前が複数あります。完全な名前で指定してください。",
        [f"該当: {', '.join(names[i] for i in partial)}"],
    )


@dataclass(frozen=True, eq=False)
class IOTable:
    """A read-only input–output table (SPEC §5), labelled, with its coefficients on demand.

    Blocks: ``Z`` (n × n intermediate flows), ``final_demand`` (n × f), ``exports`` (n × e),
    ``imports`` (n × i, negative), ``value_added`` (r × n), optional ``employment`` (n, persons).
    Use :func:`chiiki.io.readers.read_io_long` / ``read_io_wide`` / :func:`table_from_long` to build
    one; they also run :func:`chiiki.io.checks.check_table`.

    ``imports_known`` is False for a table published without import columns (such as the 2015 12-sector
    prefectural tables): its import ratios m and the open-model inverse B are then refused rather
    than taken as zero, until the user states that imports are zero (:meth:`with_imports_zero`;
    issue #11 item 6). The closed model L needs no imports and is always available.
    """

    sectors: tuple[str, ...]
    Z: np.ndarray
    final_demand: np.ndarray
    final_demand_names: tuple[str, ...]
    exports: np.ndarray
    export_names: tuple[str, ...]
    imports: np.ndarray
    import_names: tuple[str, ...]
    value_added: np.ndarray
    value_added_names: tuple[str, ...]
    employment: np.ndarray | None = None
    regions: tuple[str, ...] | None = None
    final_demand_regions: tuple[str, ...] | None = None
    unit: str = "百万円"
    settings: IOSettings = field(default_factory=IOSettings)
    imports_known: bool = True

    def __post_init__(self) -> None:
        for name in ("Z", "final_demand", "exports", "imports", "value_added", "employment"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen(value))
        n = len(self.sectors)
        shapes = {
            "Z": (self.Z.shape, (n, n)),
            "final_demand": (self.final_demand.shape, (n, len(self.final_demand_names))),
            "exports": (self.exports.shape, (n, len(self.export_names))),
            "imports": (self.imports.shape, (n, len(self.import_names))),
            "value_added": (self.value_added.shape, (len(self.value_added_names), n)),
        }
        if self.employment is not None:
            shapes["employment"] = (self.employment.shape, (n,))
        bad = [f"{k}: {got} ≠ {want}" for k, (got, want) in shapes.items() if got != want]
        if self.regions is not None and len(self.regions) != n:
            bad.append(f"regions: {len(self.regions)} ≠ {n}")
        if bad:
            raise IOTableError("産業連関表の各ブロックの大きさが部門数と合いません。", bad)

    def with_imports_zero(self) -> IOTable:
        """The same table with its missing imports stated as zero (m = 0), so the open model runs."""
        return self if self.imports_known else replace(self, imports_known=True)

    def _require_imports(self) -> None:
        if not self.imports_known:
            raise IOTableError(
                "この表には輸入（移輸入）の列がないため、輸入係数 m・開放型の逆行列 [I − (I − M̂)A]⁻¹・"
                "経済波及効果を計算できません。"
                "輸入がない（0）とみなしてよい場合は、そう明示してください（CLI: --imports-zero、"
                "Python: table.with_imports_zero()）。閉鎖型の逆行列 (I − A)⁻¹ は輸入なしで計算できます。"
            )

    # ---- labels -------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of industries (region × sector pairs in an interregional table)."""
        return len(self.sectors)

    @property
    def is_interregional(self) -> bool:
        return self.regions is not None

    @property
    def labels(self) -> list[str]:
        """One label per industry: the sector name, or ``region/sector`` in an interregional table."""
        if self.regions is None:
            return list(self.sectors)
        return [f"{r}/{s}" for r, s in zip(self.regions, self.sectors, strict=True)]

    def label_frame(self) -> pl.DataFrame:
        """The industry labels as a frame: ``sector`` (and ``region`` first when interregional)."""
        columns = {"sector": list(self.sectors)}
        if self.regions is not None:
            columns = {"region": list(self.regions), **columns}
        return pl.DataFrame(columns)

    # ---- roles -----------------------------------------------------------------------------
    @cached_property
    def income(self) -> np.ndarray:
        """The 雇用者所得 row (SPEC §5, setting ``income_row``)."""
        i = find_label(self.value_added_names, self.settings.income_row, what="雇用者所得の行")
        return self.value_added[i]

    @cached_property
    def consumption_indices(self) -> list[int]:
        """Final-demand columns of 民間消費支出: one, or one per region of an interregional table."""
        wanted = self.settings.consumption_column
        if self.final_demand_regions is None:
            return [find_label(self.final_demand_names, wanted, what="民間消費支出の列")]
        found = []
        for region in dict.fromkeys(self.final_demand_regions):
            idx = [i for i, r in enumerate(self.final_demand_regions) if r == region]
            names = [self.final_demand_names[i] for i in idx]
            found.append(idx[find_label(names, wanted, what=f"地域「{region}」の民間消費支出の列")])
        return found

    # ---- coefficients (SPEC §5) ------------------------------------------------------------------
    @cached_property
    def X(self) -> np.ndarray:  # noqa: N802 - the symbol of SPEC §5
        """Output X (row totals, 生産額)."""
        return co.output_x(self.Z, self.final_demand, self.exports, self.imports)

    @cached_property
    def column_totals(self) -> np.ndarray:
        """Column totals Σ_i Z_ij + Σ valueadded_j (should equal X_j)."""
        return self.Z.sum(axis=0) + self.value_added.sum(axis=0)

    @cached_property
    def A(self) -> np.ndarray:  # noqa: N802 - the symbol of SPEC §5
        """Input coefficients A = Z·diag(X)⁻¹."""
        return co.technical_coefficients(self.Z, self.X)

    @cached_property
    def m(self) -> np.ndarray:
        """Import ratios m (refused when the table has no imports and they were not stated zero)."""
        self._require_imports()
        return co.import_ratios(self.Z, self.final_demand, self.imports)

    @cached_property
    def B(self) -> np.ndarray:  # noqa: N802 - the symbol of SPEC §5
        """Open-model inverse B = [I − (I − M̂)A]⁻¹ (refused without known imports, see ``imports_known``)."""
        self._require_imports()
        return co.open_inverse(self.A, self.m, labels=self.labels)

    @cached_property
    def L(self) -> np.ndarray:  # noqa: N802 - the symbol of SPEC §5
        """Closed-model inverse L = (I − A)⁻¹."""
        return co.closed_inverse(self.A, labels=self.labels)

    @cached_property
    def w(self) -> np.ndarray:
        """Employee-income coefficients w."""
        return co.income_coefficients(self.income, self.X)

    @cached_property
    def v(self) -> np.ndarray:
        """Gross value-added coefficients v."""
        return co.value_added_coefficients(self.value_added, self.X)

    @cached_property
    def e(self) -> np.ndarray | None:
        """Employment coefficients (persons per unit), or None without an employment row."""
        return None if self.employment is None else co.employment_coefficients(self.employment, self.X)

    @cached_property
    def h(self) -> np.ndarray:
        """Consumption pattern: ``n`` for one region, ``n × R`` (one column per region) otherwise."""
        columns = self.final_demand[:, self.consumption_indices]
        pattern = co.consumption_pattern(columns)
        return pattern[:, 0] if self.final_demand_regions is None else pattern

    @cached_property
    def consumption_regions(self) -> list[str] | None:
        """Region of each column of ``h`` (interregional tables only)."""
        if self.final_demand_regions is None:
            return None
        return [self.final_demand_regions[i] for i in self.consumption_indices]

    def linkages(self, *, inverse: str = "B") -> tuple[np.ndarray, np.ndarray]:
        """Backward and forward linkages (影響力係数・感応度係数) of B (default) or L."""
        return co.linkages(self.B if inverse == "B" else self.L)

    # ---- labelled views ----------------------------------------------------------------------
    def vector_frame(self) -> pl.DataFrame:
        """Per-industry vectors as a frame beside the labels: X, m, w, v, (e,) h — or, in an
        interregional table, one ``h_<region>`` column per region's consumption pattern."""
        columns = {"X": self.X, "m": self.m, "w": self.w, "v": self.v}
        if self.e is not None:
            columns["e"] = self.e
        if self.consumption_regions is None:
            columns["h"] = self.h
        else:
            columns.update({f"h_{r}": self.h[:, i] for i, r in enumerate(self.consumption_regions)})
        return self.label_frame().with_columns(pl.Series(k, v) for k, v in columns.items())

    def matrix_frame(self, name: str) -> pl.DataFrame:
        """A labelled n × n matrix (``"Z"``, ``"A"``, ``"B"`` or ``"L"``): label columns, then one
        column per industry label."""
        if name not in ("Z", "A", "B", "L"):
            raise IOTableError(f"行列「{name}」はありません。Z, A, B, L のいずれかを指定してください。")
        matrix = getattr(self, name)
        return self.label_frame().hstack(pl.DataFrame(matrix, schema=self.labels, orient="row"))
