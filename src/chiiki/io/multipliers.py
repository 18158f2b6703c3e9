"""Per-sector multipliers and linkages (SPEC §5; issue #4 item 4): one row per industry."""

from __future__ import annotations

import polars as pl

from chiiki.io.table import IOTable


def multiplier_frame(table: IOTable) -> pl.DataFrame:
    """``[region,] sector, open_multiplier, closed_multiplier, backward_linkage, forward_linkage,
    import_ratio``.

    open_multiplier = column sum of B (開放型の生産誘発係数), closed_multiplier = column sum of L,
    backward/forward linkage = 影響力係数・感応度係数 of B, import_ratio = m (SPEC §5).

    A table without imports (``imports_known`` False, issue #11 item 6) has only the closed model: the
    columns of B and m are null rather than computed as if imports were zero.
    """
    if not table.imports_known:
        empty = pl.Series([None] * table.n, dtype=pl.Float64)
        return table.label_frame().with_columns(
            open_multiplier=empty,
            closed_multiplier=pl.Series(table.L.sum(axis=0)),
            backward_linkage=empty,
            forward_linkage=empty,
            import_ratio=empty,
        )
    backward, forward = table.linkages()
    return table.label_frame().with_columns(
        open_multiplier=pl.Series(table.B.sum(axis=0)),
        closed_multiplier=pl.Series(table.L.sum(axis=0)),
        backward_linkage=pl.Series(backward),
        forward_linkage=pl.Series(forward),
        import_ratio=pl.Series(table.m),
    )
