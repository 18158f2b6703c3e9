"""Builders of the region × industry long frame (SPEC §4): from the firm data, from the economic
census table, and from a user's own long CSV. Only the file readers do I/O."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from chiiki.data import Dataset
from chiiki.industry.aggregate import unknown_codes
from chiiki.industry.frame import MEASURES, NATIONAL_CODE, IndustryDataError, check_frame


def matrix_from_firms(dataset: Dataset, *, region: str = "prefecture") -> pl.DataFrame:
    """Region × JSIC 中分類 × fiscal year from the firm data (SPEC §2, §4).

    Measures: ``employees`` (sum, unknown counts left out), ``sales`` (千円), ``establishments``
    (number of firms: the firm data has one row per company, so firms stand in for establishments)
    and ``value_added`` ≈ operating_profit + payroll (千円, over firms reporting both).
    ``region`` is ``"prefecture"`` (prefecture_code) or ``"municipality"`` (municipality_code).
    """
    column = {"prefecture": "prefecture_code", "municipality": "municipality_code"}.get(region)
    if column is None:
        raise IndustryDataError(f"地域の単位は prefecture か municipality です: {region}")
    c = dataset.companies
    wide = c.group_by(
        pl.col(column).alias("region_code"), pl.col("jsic_code").alias("industry_code"), "fiscal_year"
    ).agg(
        employees=pl.col("employees").sum(),
        establishments=pl.len(),
        sales=pl.col("sales").sum(),
        value_added=(pl.col("operating_profit") + pl.col("payroll")).sum(),
    )
    return check_frame(
        wide.unpivot(
            on=list(MEASURES), index=["region_code", "industry_code", "fiscal_year"], variable_name="measure"
        ).select("region_code", "industry_code", "measure", "value", "fiscal_year")
    ).sort("measure", "fiscal_year", "region_code", "industry_code")


CENSUS_MAJOR = {
    "1": "A",  # 農林漁業 (A and B together in the 2012 activity survey)
    "2": "C",
    "3": "D",
    "4": "E",
    "5": "F",
    "6": "G",
    "7": "H",
    "8": "I",
    "9": "J",
    "10": "K",
    "11": "L",
    "12": "M",
    "13": "N",
    "14": "O",
    "15": "P",
    "16": "Q",
    "17": "R",
}
"""Census large groups (``id_l`` of ``VA_/Sales_/Firm_``) → JSIC 大分類. Group 1 is 農林漁業
(A + B) and is reported under A."""

CENSUS_COMBINED_MINOR = {"12A": "121"}
"""Census 小分類 columns that stand for several JSIC codes: 12A = 121 + 122, reported under 121."""

_CENSUS_PREFIX = {
    "SEmp": ("employees", 2014),
    "Semp": ("employees", 2014),
    "SFirm": ("establishments", 2014),
    "VA": ("value_added", 2012),
    "Sales": ("sales", 2012),
    "Firm": ("establishments", 2012),
}


def matrix_from_census(path: str | Path) -> pl.DataFrame:
    """Prefecture × industry frame from ``regional_census_2012_2014.csv`` (SPEC §4).

    - ``SEmp_/SFirm_`` (2014 経済センサス基礎調査, JSIC 小分類) → employees, establishments,
      fiscal_year 2014. Columns with a letter (``32A`` …) break a 小分類 down further and are
      dropped (they would count twice), except ``12A`` (= 121 + 122, reported as 121).
    - ``VA_/Sales_/Firm_`` (2012 活動調査, 17 large groups) → value_added, sales (百万円),
      establishments by JSIC 大分類, fiscal_year 2012 (:data:`CENSUS_MAJOR`).
    - Areas ``PP000`` become prefecture ``PP``; the national row ``00000`` becomes region ``"00"``
      (used as the nation by :func:`chiiki.industry.location_quotient`); city rows are dropped.
    - ``True``/``False`` cells (one column of the published file holds them) are read as 1/0.
    """
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise IndustryDataError(f"{path}: 経済センサスの表を読み込めません（{exc}）。") from exc
    if "AreaID" not in raw.columns:
        raise IndustryDataError(
            f"{path}: AreaID 列がありません。regional_census_2012_2014.csv 形式の表を指定してください。"
        )
    cols = [c for c in raw.columns if "_" in c and c.split("_", 1)[0] in _CENSUS_PREFIX]
    long = (
        raw.filter(pl.col("AreaID").str.contains(r"^\d\d000$"))
        .select("AreaID", *cols)
        .unpivot(index="AreaID", variable_name="column", value_name="text")
        .with_columns(
            region_code=pl.col("AreaID").str.slice(0, 2),
            prefix=pl.col("column").str.extract(r"^([A-Za-z]+)_"),
            code=pl.col("column").str.extract(r"_(\w+)$"),
            value=pl.col("text").replace({"True": "1", "False": "0"}).cast(pl.Float64, strict=False),
        )
    )
    measure = pl.col("prefix").replace_strict({k: v[0] for k, v in _CENSUS_PREFIX.items()})
    year = pl.col("prefix").replace_strict(
        {k: v[1] for k, v in _CENSUS_PREFIX.items()}, return_dtype=pl.Int64
    )
    is_minor = pl.col("prefix").is_in(["SEmp", "Semp", "SFirm"])
    industry = (
        pl.when(is_minor)
        .then(pl.col("code").replace(CENSUS_COMBINED_MINOR))
        .otherwise(pl.col("code").replace_strict(CENSUS_MAJOR, default=None))
    )
    out = (
        long.with_columns(measure=measure, fiscal_year=year, industry_code=industry)
        .filter(pl.col("industry_code").str.contains(r"^(\d{3}|[A-T])$"))
        .select("region_code", "industry_code", "measure", "value", "fiscal_year")
        .with_columns(pl.col("region_code").replace({"00": NATIONAL_CODE}))
    )
    return check_frame(out).sort("measure", "fiscal_year", "region_code", "industry_code")


def _read_table(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path).cast(pl.Utf8)
        if suffix in (".xlsx", ".xlsm"):
            return pl.read_excel(path, engine="calamine", infer_schema_length=0)
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise IndustryDataError(
                f"{path}: 文字コードを判別できません。UTF-8 または Shift_JIS で保存してください。"
            )
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except IndustryDataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise IndustryDataError(
            f"{path}: ファイルを読み込めません（{exc}）。CSV / Excel / Parquet の形式を確認してください。"
        ) from exc


def read_matrix_csv(path: str | Path) -> pl.DataFrame:
    """Read a user's long table ``region_code, industry_code, measure, value[, fiscal_year]``
    (CSV in UTF-8 or Shift_JIS, Excel or Parquet) and check it (SPEC §4).

    Codes are text; a one-digit region or industry code (as Excel leaves "07" → 7) gets its leading
    zero back. Every problem — unknown JSIC code, unknown measure, a value that is not a number or is
    negative — is reported with its row number in one :class:`IndustryDataError`.
    """
    path = Path(path)
    if not path.exists():
        raise IndustryDataError(f"{path}: ファイルがありません。パスを確認してください。")
    raw = _read_table(path)
    raw = raw.rename({c: c.strip().lower() for c in raw.columns})
    missing = [c for c in ("region_code", "industry_code", "measure", "value") if c not in raw.columns]
    if missing:
        raise IndustryDataError(
            f"{path}: 必要な列がありません: {', '.join(missing)}。"
            "1行目を region_code,industry_code,measure,value（任意で fiscal_year）にしてください。"
        )
    has_year = "fiscal_year" in raw.columns
    text = {
        c: pl.col(c).cast(pl.Utf8).str.strip_chars()
        for c in ("region_code", "industry_code", "measure", "value")
    }
    df = (
        raw.with_row_index("row", offset=2)
        .with_columns(
            region_code=text["region_code"],
            industry_code=text["industry_code"].str.to_uppercase(),
            measure=text["measure"],
            value_text=text["value"],
            value=text["value"].str.replace_all(",", "").cast(pl.Float64, strict=False),
            **(
                {"fiscal_year": pl.col("fiscal_year").str.strip_chars().cast(pl.Int64, strict=False)}
                if has_year
                else {}
            ),
        )
        .with_columns(
            pl.when(pl.col(c).str.contains(r"^\d$")).then("0" + pl.col(c)).otherwise(pl.col(c)).alias(c)
            for c in ("region_code", "industry_code")
        )
    )
    problems: list[str] = []

    def report(mask: pl.Expr, column: str, reason: str) -> None:
        bad = df.filter(mask)
        shown = "value_text" if column == "value" else column
        for row, value in bad.select("row", shown).head(10).iter_rows():
            problems.append(f"{row}行目 {column}={value!r}: {reason}")
        if bad.height > 10:
            problems.append(f"（{column}: ほか {bad.height - 10} 行）")

    unknown = unknown_codes(df["industry_code"])
    report(
        pl.col("industry_code").is_in(unknown),
        "industry_code",
        "日本標準産業分類（第14回改定）にないコードです",
    )
    report(pl.col("industry_code").is_null(), "industry_code", "産業コードが空です")
    report(pl.col("region_code").is_null(), "region_code", "地域コードが空です")
    report(
        ~pl.col("measure").is_in(list(MEASURES)).fill_null(False),
        "measure",
        f"指標は {', '.join(MEASURES)} のいずれかです",
    )
    report(pl.col("value").is_null(), "value", "数値ではありません（空欄も不可。0 なら 0 と書いてください）")
    report(pl.col("value") < 0, "value", "負の値です（0以上にしてください）")
    if has_year:
        report(pl.col("fiscal_year").is_null(), "fiscal_year", "年度が整数ではありません")
    if problems:
        raise IndustryDataError(
            f"{path}: 地域×産業の表に {len(problems)} 件の問題があります。\n" + "\n".join(problems)
        )
    return check_frame(
        df.select("region_code", "industry_code", "measure", "value", *(["fiscal_year"] if has_year else []))
    )
