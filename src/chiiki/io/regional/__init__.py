"""Regional input–output tables estimated from a national table and regional employment (SPEC §7.1).

>>> from chiiki.io.regional import resolve_region, employment_basis, regionalize   # doctest: +SKIP
"""

from chiiki.io.regional.concordance import (
    allocation_matrix,
    concordance_for,
    sector_codes,
    shipped_concordance,
)
from chiiki.io.regional.employment import (
    EmploymentBasis,
    census_basis,
    employment_basis,
    firm_basis,
    nested_basis,
)
from chiiki.io.regional.estimate import (
    DEFAULT_BASIS,
    DEFAULT_DELTA,
    DEFAULT_METHOD,
    RegionalSettings,
    RegionalTable,
    SectorEmployment,
    estimate_table,
    regionalize,
    sector_employment,
)
from chiiki.io.regional.evaluate import aggregation_matrix, local_structure, stpe, table_errors
from chiiki.io.regional.lq import (
    METHODS,
    cross_industry_lq,
    final_demand_lq,
    flegg_lambda,
    lq_matrix,
    regional_coefficients,
    simple_lq,
)
from chiiki.io.regional.regions import Region, region_population_share, resolve_region

__all__ = [
    "DEFAULT_BASIS",
    "DEFAULT_DELTA",
    "DEFAULT_METHOD",
    "METHODS",
    "EmploymentBasis",
    "Region",
    "RegionalSettings",
    "RegionalTable",
    "SectorEmployment",
    "aggregation_matrix",
    "allocation_matrix",
    "census_basis",
    "concordance_for",
    "cross_industry_lq",
    "employment_basis",
    "estimate_table",
    "final_demand_lq",
    "firm_basis",
    "flegg_lambda",
    "local_structure",
    "lq_matrix",
    "nested_basis",
    "region_population_share",
    "regional_coefficients",
    "regionalize",
    "resolve_region",
    "sector_codes",
    "sector_employment",
    "shipped_concordance",
    "simple_lq",
    "stpe",
    "table_errors",
]
