"""Check digits of 法人番号 (corporate numbers) and JIS X 0402 municipality codes (SPEC §1, §2).

Each check has a scalar form (for one code a person typed) and a Polars-expression form (for a whole
column at once, used by the import validator).
"""

from __future__ import annotations

import polars as pl

_MUNI_WEIGHTS = (6, 5, 4, 3, 2)


def municipality_check_digit(code5: str) -> int:
    """Check digit of a 5-digit JIS X 0402 code: r = (6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5) mod 11,
    check = (11 − r) mod 10 (SPEC §1).

    >>> municipality_check_digit("01100")  # 札幌市 = 011002
    2
    """
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError(f"市区町村コードは5桁の数字です: {code5!r}")
    r = sum(w * int(d) for w, d in zip(_MUNI_WEIGHTS, code5, strict=True)) % 11
    return (11 - r) % 10


def is_valid_municipality_code(code: str) -> bool:
    """True for a 6-digit code whose last digit is the right check digit (a 5-digit code has none
    to check and is accepted when it is all digits).

    >>> is_valid_municipality_code("011002"), is_valid_municipality_code("011003")
    (True, False)
    """
    if not code.isdigit() or len(code) not in (5, 6):
        return False
    return len(code) == 5 or municipality_check_digit(code[:5]) == int(code[5])


def corporate_number_check_digit(base12: str) -> int:
    """Check digit of a 法人番号: with P_n the n-th of the 12 base digits counted from the right and
    Q_n = 1 for odd n, 2 for even n, check = 9 − (Σ P_n·Q_n mod 9) (SPEC §2).

    >>> corporate_number_check_digit("000012050002")  # 国税庁's example 7000012050002
    7
    """
    if len(base12) != 12 or not base12.isdigit():
        raise ValueError(f"法人番号の基礎番号は12桁の数字です: {base12!r}")
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def is_valid_corporate_number(number: str) -> bool:
    """True when ``number`` is 13 digits and its first digit is the check digit of the other 12.

    >>> is_valid_corporate_number("7000012050002"), is_valid_corporate_number("1000012050002")
    (True, False)
    """
    if len(number) != 13 or not number.isdigit():
        return False
    return corporate_number_check_digit(number[1:]) == int(number[0])


def corporate_number_is_valid_expr(column: str) -> pl.Expr:
    """Polars expression: True where ``column`` holds a valid 法人番号 (null stays null)."""
    col = pl.col(column)
    digits = [col.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(13)]
    # digit at string position k (1..12) is P_n with n = 13 − k counted from the right.
    weighted = sum(digits[k] * (2 if (13 - k) % 2 == 0 else 1) for k in range(1, 13))
    check = 9 - weighted % 9
    return (col.str.len_chars() == 13) & col.str.contains(r"^\d{13}$") & (digits[0] == check)


def municipality_check_digit_expr(column: str) -> pl.Expr:
    """Polars expression: the JIS X 0402 check digit of the 5-digit codes in ``column``."""
    col = pl.col(column)
    r = sum(w * col.str.slice(i, 1).cast(pl.Int32, strict=False) for i, w in enumerate(_MUNI_WEIGHTS)) % 11
    return (11 - r) % 10
