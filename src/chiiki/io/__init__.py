"""Input–output engine: regional tables, open-model Leontief inverse and 経済波及効果 (SPEC §5).

>>> from chiiki.io import read_io_table, ripple, demand_matrix   # doctest: +SKIP
"""

from chiiki.io.checks import check_table
from chiiki.io.coefficients import (
    closed_inverse,
    consumption_pattern,
    domestic_demand,
    employment_coefficients,
    import_ratios,
    income_coefficients,
    linkages,
    open_inverse,
    output_x,
    technical_coefficients,
    value_added_coefficients,
)
from chiiki.io.demand import demand_matrix, read_demand
from chiiki.io.errors import IOTableError
from chiiki.io.multipliers import multiplier_frame
from chiiki.io.readers import read_io_long, read_io_table, read_io_wide, table_from_long, wide_to_long
from chiiki.io.ripple import DEFAULT_C, MEASURES, STAGES, RippleResult, ripple, ripple_stages
from chiiki.io.table import IOSettings, IOTable

__all__ = [
    "DEFAULT_C",
    "MEASURES",
    "STAGES",
    "IOSettings",
    "IOTable",
    "IOTableError",
    "RippleResult",
    "check_table",
    "closed_inverse",
    "consumption_pattern",
    "demand_matrix",
    "domestic_demand",
    "employment_coefficients",
    "import_ratios",
    "income_coefficients",
    "linkages",
    "multiplier_frame",
    "open_inverse",
    "output_x",
    "read_demand",
    "read_io_long",
    "read_io_table",
    "read_io_wide",
    "ripple",
    "ripple_stages",
    "table_from_long",
    "technical_coefficients",
    "value_added_coefficients",
    "wide_to_long",
]
