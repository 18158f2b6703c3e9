"""Static code lists shipped with the package (SPEC §1). No network access at run time."""

from chiiki.reference.checkdigits import (
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_municipality_code,
    municipality_check_digit,
)
from chiiki.reference.tables import (
    blocks,
    field_jsic_mapping,
    fields,
    jsic,
    municipalities,
    prefecture_block,
    prefecture_names,
    prefectures,
)

__all__ = [
    "blocks",
    "corporate_number_check_digit",
    "field_jsic_mapping",
    "fields",
    "is_valid_corporate_number",
    "is_valid_municipality_code",
    "jsic",
    "municipalities",
    "municipality_check_digit",
    "prefecture_block",
    "prefecture_names",
    "prefectures",
]
