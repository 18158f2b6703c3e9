"""Industry focus analytics (SPEC §4): 特化係数, 稼ぐ力, RCA, proximity, relatedness density,
ECI/PCI and focus-field suggestions among the 17 strategic fields.

One input type: the long region × industry frame ``region_code, industry_code, measure, value
[, fiscal_year]`` (:mod:`chiiki.industry.frame`), built by :func:`matrix_from_firms`,
:func:`matrix_from_census` or :func:`read_matrix_csv`.
"""

from chiiki.industry.aggregate import aggregate_industry
from chiiki.industry.builders import matrix_from_census, matrix_from_firms, read_matrix_csv
from chiiki.industry.complexity import (
    Complexity,
    complexity,
    density_matrix,
    eci_pci,
    presence_matrix,
    proximity,
    proximity_matrix,
    rca,
    rca_matrix,
    relatedness_density,
)
from chiiki.industry.frame import MEASURES, NATIONAL_CODE, IndustryDataError, check_frame, to_matrix
from chiiki.industry.lq import earning_power, location_quotient, national_totals
from chiiki.industry.suggest import suggest_fields

__all__ = [
    "MEASURES",
    "NATIONAL_CODE",
    "Complexity",
    "IndustryDataError",
    "aggregate_industry",
    "check_frame",
    "complexity",
    "density_matrix",
    "earning_power",
    "eci_pci",
    "location_quotient",
    "matrix_from_census",
    "matrix_from_firms",
    "national_totals",
    "presence_matrix",
    "proximity",
    "proximity_matrix",
    "rca",
    "rca_matrix",
    "read_matrix_csv",
    "relatedness_density",
    "suggest_fields",
    "to_matrix",
]
