"""Scenarios for the ripple (SPEC §5): what a template or a demand file turns into, for a given table.

A *scenario* is anything with a ``name`` and ``build(table) -> ScenarioDemand``: the templates of
:mod:`chiiki.io.templates`, or :class:`DemandScenario` (a ΔF vector typed in or read from a file).
Building against a table (rather than holding a fixed vector) lets the same scenario run on every
variant of a regional table (method, δ, import ratios) for ranges (:mod:`chiiki.io.ranges`).

:func:`stage_groups` runs many scenarios in as few matrix products as possible: scenarios that share
a table and the ``local_output`` flag go through one :func:`chiiki.io.ripple.ripple_stages` call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chiiki.io.errors import IOTableError
from chiiki.io.ripple import DEFAULT_C, RippleStages, ripple_stages
from chiiki.io.table import IOTable


@dataclass(frozen=True, eq=False)
class ScenarioDemand:
    """A scenario built for a table: ΔF ``demand`` (or direct local output with ``local_output``).

    ``table`` is the table to run it on: the base table, or one of its own (a new plant is a sector
    added to the base table). ``base_sector`` maps each sector of that table to a base-table sector
    (identity, or the plant's sector for the added one). ``notes`` say what was assumed.
    """

    name: str
    demand: np.ndarray
    table: IOTable
    local_output: bool = False
    template: str = "需要の直接入力"
    notes: tuple[str, ...] = ()
    base_sector: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        demand = np.asarray(self.demand, dtype=float)
        if demand.shape != (self.table.n,):
            raise IOTableError(
                f"シナリオ「{self.name}」の需要の長さ {demand.shape} が表の部門数 {self.table.n} と合いません。"
            )
        if not np.isfinite(demand).all():
            raise IOTableError(f"シナリオ「{self.name}」の需要に数値でない値があります。")
        object.__setattr__(self, "demand", demand)
        if self.base_sector is None:
            object.__setattr__(self, "base_sector", np.arange(self.table.n))


@dataclass(frozen=True, eq=False)
class DemandScenario:
    """A ΔF vector given by sector (rows in the base table's order), e.g. one column of a demand file."""

    name: str
    demand: np.ndarray
    local_output: bool = False

    def build(self, table: IOTable) -> ScenarioDemand:
        return ScenarioDemand(self.name, self.demand, table, local_output=self.local_output)


def demand_scenarios(
    matrix: np.ndarray, names: list[str], *, local_output: bool = False
) -> list[DemandScenario]:
    """One :class:`DemandScenario` per column of a ΔF matrix (as :func:`chiiki.io.demand_matrix` gives)."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, np.newaxis]
    return [DemandScenario(name, matrix[:, j], local_output) for j, name in enumerate(names)]


def check_names(scenarios: list) -> list[str]:
    """Scenario names, which must be unique and non-empty."""
    names = [str(s.name).strip() for s in scenarios]
    if not names:
        raise IOTableError("シナリオがありません。")
    if any(not n for n in names) or len(set(names)) != len(names):
        raise IOTableError("シナリオ名は空でなく、重複しないように付けてください。", [", ".join(names)])
    return names


@dataclass(frozen=True)
class StageGroup:
    """Scenarios run together: their positions in the input list, the table and the stages (n × k)."""

    positions: list[int]
    table: IOTable
    stages: RippleStages
    demands: list[ScenarioDemand]


def stage_groups(built: list[ScenarioDemand], *, c: float = DEFAULT_C) -> list[StageGroup]:
    """Ripple stages of built scenarios, one :func:`ripple_stages` call per (table, local_output)."""
    groups: dict[tuple[int, bool], list[int]] = {}
    for position, demand in enumerate(built):
        groups.setdefault((id(demand.table), demand.local_output), []).append(position)
    out = []
    for (_, local_output), positions in groups.items():
        table = built[positions[0]].table
        F = np.column_stack([built[p].demand for p in positions])
        out.append(
            StageGroup(
                positions=positions,
                table=table,
                stages=ripple_stages(table, F, c=c, local_output=local_output),
                demands=[built[p] for p in positions],
            )
        )
    return out
