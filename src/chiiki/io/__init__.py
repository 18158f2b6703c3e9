"""Input–output engine: regional tables, open-model Leontief inverse and 経済波及効果 (SPEC §5).

>>> from chiiki.io import read_io_table, ripple, demand_matrix   # doctest: +SKIP
>>> table, report = read_table_with_report("prefecture_io.xlsx", sheet="取引基本表")   # doctest: +SKIP
>>> national_table_2015()   # the shipped default table (credit: NATIONAL_2015_CREDIT)  # doctest: +SKIP
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
from chiiki.io.loading import read_io_table, read_table_with_report
from chiiki.io.multipliers import multiplier_frame
from chiiki.io.national import (
    NATIONAL_2015_CREDIT,
    NATIONAL_2015_NAME,
    national_table_2015,
    national_table_2015_with_report,
)
from chiiki.io.published import (
    Balance,
    Placed,
    ReadReport,
    SheetChoiceError,
    read_published_table,
    workbook_sheets,
)
from chiiki.io.readers import read_io_long, read_io_wide, table_from_long, wide_to_long
from chiiki.io.ripple import DEFAULT_C, MEASURES, STAGES, RippleResult, ripple, ripple_stages
from chiiki.io.table import IOSettings, IOTable

__all__ = [
    "DEFAULT_C",
    "NATIONAL_2015_CREDIT",
    "NATIONAL_2015_NAME",
    "Balance",
    "Placed",
    "ReadReport",
    "SheetChoiceError",
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
    "national_table_2015",
    "national_table_2015_with_report",
    "open_inverse",
    "output_x",
    "read_demand",
    "read_io_long",
    "read_io_table",
    "read_io_wide",
    "read_published_table",
    "read_table_with_report",
    "ripple",
    "ripple_stages",
    "table_from_long",
    "technical_coefficients",
    "value_added_coefficients",
    "wide_to_long",
    "workbook_sheets",
]
