"""Validation of a firm data set against the contract of SPEC §2.

Every problem becomes one row of a report frame (``severity, file, row, column, value, code,
message``) with a Japanese message a person can act on. Errors stop an import; warnings (links to
unknown companies, self-links, duplicate links) do not. All checks are column-wise Polars
expressions, so the validator runs at millions of rows per second.

Row numbers are those a person sees: in CSV and Excel the header is row 1 and the first data row is
row 2; in Parquet the first record is row 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from chiiki import reference
from chiiki.data.contract import AMOUNT_ESTIMATED, COMPANIES, TRANSACTIONS, Column, Dataset, TableContract
from chiiki.data.headers import UNIT_CHOICES, UNITS, HeaderMatch, IntakeOptions, match_headers
from chiiki.data.limits import check_file
from chiiki.data.readers import DataReadError, RawTable, find_table_file, read_raw_table
from chiiki.reference.checkdigits import corporate_number_is_valid_expr, municipality_check_digit_expr

ROW = "__row"
MIN_YEAR, MAX_YEAR = 1900, 2100

PROBLEM_SCHEMA = {
    "severity": pl.Utf8,
    "file": pl.Utf8,
    "row": pl.Int64,
    "column": pl.Utf8,
    "value": pl.Utf8,
    "code": pl.Utf8,
    "message": pl.Utf8,
}

CODE_WIDTH = {"prefecture_code": 2, "municipality_code": 5, "jsic_code": 2}
"""Codes that spreadsheets turn into numbers lose their leading zeros; they are padded back."""


class DataValidationError(Exception):
    """Raised when a data set has errors; carries the full report."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(report.summary())


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of validating one data set: the problems and, when there are no errors, the data."""

    problems: pl.DataFrame
    dataset: Dataset | None
    counts: dict[str, int]
    matches: dict[str, HeaderMatch] = field(default_factory=dict)
    """Per table, how its headers were placed on the contract (:mod:`chiiki.data.headers`)."""

    @property
    def errors(self) -> pl.DataFrame:
        return self.problems.filter(pl.col("severity") == "error")

    @property
    def warnings(self) -> pl.DataFrame:
        return self.problems.filter(pl.col("severity") == "warning")

    @property
    def has_errors(self) -> bool:
        return self.errors.height > 0

    def summary(self) -> str:
        return (
            f"エラー {self.errors.height:,} 件、警告 {self.warnings.height:,} 件"
            f"（企業 {self.counts.get('companies', 0):,} 行、取引 {self.counts.get('transactions', 0):,} 行）"
        )

    def by_code(self) -> pl.DataFrame:
        """Number of problems per severity and code, most frequent first."""
        return (
            self.problems.group_by("severity", "code")
            .agg(pl.len().alias("count"), pl.col("message").first().alias("example"))
            .sort("severity", "count", descending=[False, True])
        )


def _problem(severity: str, file: str, code: str, message: str, column: str | None = None) -> pl.DataFrame:
    """A file-level problem (no row)."""
    return pl.DataFrame(
        [
            {
                "severity": severity,
                "file": file,
                "row": None,
                "column": column,
                "value": None,
                "code": code,
                "message": message,
            }
        ],
        schema=PROBLEM_SCHEMA,
    )


def _row_problems(
    frame: pl.DataFrame,
    mask: pl.Expr,
    *,
    file: str,
    column: str | None,
    code: str,
    message: pl.Expr | str,
    severity: str = "error",
    value: pl.Expr | None = None,
) -> pl.DataFrame:
    """One problem per row of ``frame`` where ``mask`` holds."""
    if value is None:
        value = pl.col(column).cast(pl.Utf8) if column else pl.lit(None, pl.Utf8)
    msg = pl.lit(message) if isinstance(message, str) else message
    return frame.filter(mask).select(
        pl.lit(severity).alias("severity"),
        pl.lit(file).alias("file"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.lit(column, pl.Utf8).alias("column"),
        value.cast(pl.Utf8).alias("value"),
        pl.lit(code).alias("code"),
        msg.cast(pl.Utf8).alias("message"),
    )


def _duplicate_problems(
    frame: pl.DataFrame, key: list[str], *, file: str, column: str, code: str, message: str, severity: str
) -> pl.DataFrame:
    """One problem per row repeating an earlier row's ``key``; ``message`` gets the first row's number."""
    complete = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    # Exact duplicates among rows whose 64-bit key hash repeats: a sort of the hashes answers the
    # common case (no duplicates at all) quickly; only repeated hashes are compared exactly.
    ordered = frame.select(pl.when(complete).then(pl.struct(key).hash())).to_series().drop_nulls().sort()
    tail, head = ordered.slice(1), ordered.slice(0, max(ordered.len() - 1, 0))
    repeated = tail.filter(tail == head)
    if repeated.len() == 0:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    candidates = frame.filter(complete & pl.struct(key).hash().is_in(repeated.unique().implode()))
    later = candidates.filter(~pl.struct(key).is_first_distinct())
    if later.height == 0:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    first = (
        candidates.join(later.select(key).unique(), on=key, how="semi")
        .group_by(key)
        .agg(pl.col(ROW).min().alias("__first"))
    )
    later = later.join(first, on=key, how="left").sort(ROW)
    return _row_problems(
        later,
        pl.lit(True),
        file=file,
        column=column,
        code=code,
        severity=severity,
        message=pl.format(message, pl.col("__first")),
    )


def _check_columns(raw: RawTable, contract: TableContract, match: HeaderMatch) -> list[pl.DataFrame]:
    file = str(raw.path)
    problems = []
    for name in match.missing:
        col = contract.column(name)
        problems.append(
            _problem(
                "error",
                file,
                "missing_column",
                f"必須の列「{name}」（{col.label}）がありません。見出し行に「{col.label.split('（')[0]}」"
                "の列を追加するか、列の対応（コマンドでは --columns、Web では列の対応づけ）でどの列かを指定してください。",
                name,
            )
        )
    for name, headers in match.duplicates.items():
        shown = "」「".join(headers)
        problems.append(
            _problem(
                "error",
                file,
                "duplicate_column",
                f"「{shown}」がどれも「{contract.column(name).label}」（{name}）に当たります。"
                "1つだけ残すか、列の対応で他を「使わない」にしてください。",
                name,
            )
        )
    for name in match.unplaced:
        problems.append(
            _problem(
                "error",
                file,
                "extra_column",
                f"想定外の列「{name}」があります。使える列は {'、'.join(c.label for c in contract.columns)} です"
                f"（{', '.join(contract.names)} や docs/data.md の別名も可）。列名を直すか、列の対応"
                "（コマンドでは --columns、Web では列の対応づけ）で対応する列を指定するか「使わない」にしてください。",
                name,
            )
        )
    return problems


def _placed(frame: pl.DataFrame, match: HeaderMatch) -> pl.DataFrame:
    """The frame with placed headers renamed to contract columns and left-out columns dropped."""
    drop = [h for h in match.ignored if h in frame.columns]
    dup = {h for hs in match.duplicates.values() for h in hs}
    rename = {h: c for h, c in match.placed.items() if h != c and h not in dup}
    return frame.drop(drop).rename(rename)


def _normalise(
    frame: pl.DataFrame, contract: TableContract, factors: dict[str, float] | None = None
) -> pl.DataFrame:
    """Text columns stripped (empty → null); codes zero-padded; numbers keep their raw text in
    ``<col>__raw`` and are parsed into ``<col>`` (null where unparseable). An amount given in another
    unit (``factors``: column → factor to 千円) is converted and rounded to the nearest 千円 (half away
    from zero, 四捨五入)."""
    exprs = []
    factors = factors or {}
    for col in contract.columns:
        if col.name not in frame.columns:
            exprs.append(pl.lit(None, col.dtype).alias(col.name))
            if col.dtype == pl.Int64:
                exprs.append(pl.lit(None, pl.Utf8).alias(f"{col.name}__raw"))
            continue
        dtype = frame.schema[col.name]
        if col.dtype == pl.Utf8:
            text = pl.col(col.name).cast(pl.Utf8).str.strip_chars()
            text = pl.when(text == "").then(None).otherwise(text)
            width = CODE_WIDTH.get(col.name)
            if width is not None:
                text = (
                    pl.when(text.str.contains(r"^\d+$") & (text.str.len_chars() < width))
                    .then(text.str.zfill(width))
                    .otherwise(text)
                )
            exprs.append(text.alias(col.name))
        elif (factor := factors.get(col.name, 1)) != 1:
            text = pl.col(col.name).cast(pl.Utf8).str.strip_chars()
            text = pl.when(text == "").then(None).otherwise(text)
            number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
            number = pl.when(number.is_finite()).then(number)
            scaled = number / round(1 / factor) if factor < 1 else number * factor  # 円: exact halves
            exprs += [
                text.alias(f"{col.name}__raw"),
                scaled.round(0, mode="half_away_from_zero").cast(pl.Int64).alias(col.name),  # 四捨五入
            ]
        elif dtype.is_integer():
            exprs += [pl.col(col.name).alias(f"{col.name}__raw"), pl.col(col.name).cast(pl.Int64)]
        elif not frame.select(pl.col(col.name).cast(pl.Utf8).str.contains(r"^$|[,.\s]").any()).item():
            # plain digits (the common case of millions of rows): a cast, no text rewriting
            text = pl.col(col.name).cast(pl.Utf8)
            exprs += [text.alias(f"{col.name}__raw"), text.cast(pl.Int64, strict=False).alias(col.name)]
        else:
            text = pl.col(col.name).cast(pl.Utf8).str.strip_chars()
            text = pl.when(text == "").then(None).otherwise(text)
            parsed = text.str.replace_all(",", "").str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
            exprs += [text.alias(f"{col.name}__raw"), parsed.alias(col.name)]
    return frame.select(pl.col(ROW), *exprs)


def _check_values(frame: pl.DataFrame, contract: TableContract, file: str) -> list[pl.DataFrame]:
    problems = []
    for col in contract.columns:
        problems += _check_column(frame, col, file)
    return problems


def _check_column(frame: pl.DataFrame, col: Column, file: str) -> list[pl.DataFrame]:
    c = pl.col(col.name)
    out = []
    is_number = col.dtype == pl.Int64
    raw = pl.col(f"{col.name}__raw") if is_number else c
    if col.required:
        out.append(
            _row_problems(
                frame,
                raw.is_null(),
                file=file,
                column=col.name,
                code="required_missing",
                message=f"必須項目「{col.label}」が空です。値を入力してください。",
            )
        )
    if is_number:
        out.append(
            _row_problems(
                frame,
                raw.is_not_null() & c.is_null(),
                file=file,
                column=col.name,
                code="not_integer",
                value=raw,
                message=f"「{col.label}」は整数で入力してください（単位: 千円・人・年度。小数や文字は使えません）。",
            )
        )
        if col.kind in ("amount", "count") and col.name != "operating_profit":
            out.append(
                _row_problems(
                    frame,
                    c < 0,
                    file=file,
                    column=col.name,
                    code="negative_value",
                    message=f"「{col.label}」が負の値です。0 以上の値にしてください。",
                )
            )
        if col.kind == "year":
            out.append(
                _row_problems(
                    frame,
                    (c < MIN_YEAR) | (c > MAX_YEAR),
                    file=file,
                    column=col.name,
                    code="bad_year",
                    message=f"年度は西暦4桁（{MIN_YEAR}〜{MAX_YEAR}）で入力してください（例: 2024）。",
                )
            )
    return out


def _check_companies(frame: pl.DataFrame, file: str) -> list[pl.DataFrame]:
    prefs = reference.prefectures()["prefecture_code"]
    munis = reference.municipalities().select("municipality_code", "prefecture_code")
    jsic_middle = reference.jsic("middle")["code"]
    out = []
    cn = pl.col("corporate_number")
    out.append(
        _row_problems(
            frame,
            cn.is_not_null() & ~corporate_number_is_valid_expr("corporate_number").fill_null(False),
            file=file,
            column="corporate_number",
            code="bad_corporate_number",
            message="法人番号が正しくありません（13桁の数字で、先頭の検査用数字が一致しません）。国税庁法人番号公表サイトで確認してください。",
        )
    )
    pc = pl.col("prefecture_code")
    out.append(
        _row_problems(
            frame,
            pc.is_not_null() & ~pc.is_in(prefs.implode()),
            file=file,
            column="prefecture_code",
            code="unknown_prefecture",
            message="都道府県コードが不明です。01〜47 の2桁で入力してください（例: 07 = 福島県）。",
        )
    )
    # A 6-digit municipality code carries its check digit: verify it, then keep the 5-digit code.
    mc = pl.col("municipality_code")
    six = mc.str.len_chars() == 6
    bad_check = six & (
        mc.str.slice(5, 1).cast(pl.Int32, strict=False) != municipality_check_digit_expr("municipality_code")
    )
    out.append(
        _row_problems(
            frame,
            bad_check.fill_null(True) & six,
            file=file,
            column="municipality_code",
            code="bad_municipality_check_digit",
            message="市区町村コード（6桁）の検査数字が正しくありません。5桁のコードか、正しい6桁のコードを入力してください。",
        )
    )
    five = frame.with_columns(pl.when(six).then(mc.str.slice(0, 5)).otherwise(mc).alias("municipality_code"))
    known = five.join(
        munis.rename({"prefecture_code": "__muni_pref"}), on="municipality_code", how="left"
    ).sort(ROW)
    out.append(
        _row_problems(
            known,
            mc.is_not_null() & pl.col("__muni_pref").is_null() & ~bad_check.fill_null(False),
            file=file,
            column="municipality_code",
            code="unknown_municipality",
            message="市区町村コードが不明です。JIS X 0402 の5桁コードで入力してください（chiiki reference municipalities で一覧を確認できます）。",
        )
    )
    out.append(
        _row_problems(
            known,
            pl.col("__muni_pref").is_not_null() & pc.is_not_null() & (pl.col("__muni_pref") != pc),
            file=file,
            column="municipality_code",
            code="municipality_prefecture_mismatch",
            message=pl.format(
                "市区町村（都道府県 {}）が、この行の都道府県コード {} と一致しません。どちらかを直してください。",
                pl.col("__muni_pref"),
                pc,
            ),
        )
    )
    jc = pl.col("jsic_code")
    out.append(
        _row_problems(
            frame,
            jc.is_not_null() & ~jc.is_in(jsic_middle.implode()),
            file=file,
            column="jsic_code",
            code="unknown_jsic",
            message="産業分類コードが不明です。日本標準産業分類（第14回改定）の中分類2桁で入力してください（例: 28）。",
        )
    )
    out.append(
        _duplicate_problems(
            frame,
            ["company_id", "fiscal_year"],
            file=file,
            column="company_id",
            code="duplicate_company",
            severity="error",
            message="同じ年度に同じ企業IDが重複しています（最初の行: {}）。1社1年度1行にしてください。",
        )
    )
    return out


def _company_year_hash(id_column: str) -> pl.Expr:
    """64-bit hash of (company id, fiscal year), equal for equal pairs whichever column holds the id.

    Membership by hash: a pair whose hash is absent is certainly unknown; a hash collision could hide
    one unknown partner with probability about n / 2^64 (n ≈ 10^6 firm-years), which we accept.
    """
    return pl.struct(pl.col(id_column).alias("id"), pl.col("fiscal_year").alias("year")).hash()


def _check_transactions(frame: pl.DataFrame, companies: pl.DataFrame | None, file: str) -> list[pl.DataFrame]:
    out = []
    s, c = pl.col("supplier_id"), pl.col("customer_id")
    out.append(
        _row_problems(
            frame,
            s.is_not_null() & (s == c),
            file=file,
            column="customer_id",
            code="self_link",
            severity="warning",
            message="販売先が仕入先と同じ企業です（自己取引）。分析では除外されます。",
        )
    )
    out.append(
        _duplicate_problems(
            frame,
            ["supplier_id", "customer_id", "fiscal_year"],
            file=file,
            column="supplier_id",
            code="duplicate_link",
            severity="warning",
            message="同じ年度の同じ取引（仕入先→販売先）が重複しています（最初の行: {}）。金額は合算します。",
        )
    )
    if companies is not None:
        known = companies.select(_company_year_hash("company_id").unique().implode()).item()
        for side, label in (("supplier_id", "仕入先"), ("customer_id", "販売先")):
            out.append(
                _row_problems(
                    frame,
                    pl.col(side).is_not_null() & ~_company_year_hash(side).is_in(known.implode()),
                    file=file,
                    column=side,
                    code="unknown_partner",
                    severity="warning",
                    message=f"{label}の企業IDが同じ年度の企業データにありません。分析では域内外を判定できないため除外し、件数を報告します。",
                )
            )
    return out


def _clean_companies(frame: pl.DataFrame) -> pl.DataFrame:
    mc = pl.col("municipality_code")
    return frame.select(COMPANIES.names).with_columns(
        pl.when(mc.str.len_chars() == 6).then(mc.str.slice(0, 5)).otherwise(mc).alias("municipality_code")
    )


def _clean_transactions(frame: pl.DataFrame, later_rows: pl.Series, has_flag: bool) -> pl.DataFrame:
    """Duplicate links summed into their first row (a group with any missing amount stays missing, to
    be estimated); ``later_rows``: the ``ROW`` numbers of the repeats. Only the duplicated keys are
    grouped, so a few repeats among millions of links cost one semi-join, not a group-by of all."""
    key = ["supplier_id", "customer_id", "fiscal_year"]
    later = later_rows.implode()
    aggs = [
        pl.col(ROW).min().alias("__first"),
        pl.when(pl.col("amount").null_count() == 0)
        .then(pl.col("amount").sum())
        .otherwise(None)
        .alias("amount"),
    ]
    if has_flag:
        aggs.append(pl.col(AMOUNT_ESTIMATED).any())
    repeated = frame.filter(pl.col(ROW).is_in(later)).select(key).unique()
    groups = frame.join(repeated, on=key, how="semi", nulls_equal=True).group_by(key).agg(aggs)
    columns = ["amount"] + ([AMOUNT_ESTIMATED] if has_flag else [])
    summed = [
        pl.col(ROW)
        .replace_strict(groups["__first"], groups[c], default=pl.col(c), return_dtype=frame.schema[c])
        .alias(c)
        for c in columns
    ]
    return (
        frame.filter(~pl.col(ROW).is_in(later)).with_columns(summed).select(TRANSACTIONS.names + columns[1:])
    )


def _nested_columns(frame: pl.DataFrame, contract: TableContract, file: str) -> list[pl.DataFrame]:
    """Columns of a Parquet file holding lists or structs, which no contract column can be (issue #10 §6)."""
    return [
        _problem(
            "error",
            file,
            "unsupported_type",
            f"列「{name}」の型（{dtype}）は使えません。文字列か数値の列にしてください。",
            name,
        )  # fmt: skip
        for name, dtype in frame.schema.items()
        if name in contract.names and dtype.is_nested()
    ]


PLAUSIBLE_MEDIAN = {"sales": (1_000, 10_000_000), "amount": (None, 10_000_000)}
"""Column → (low, high) bounds in 千円 of a plausible median; outside them the unit is probably wrong."""


def _yen(thousand: float) -> str:
    """An amount in 千円 as a person says it (億円 / 百万円 / 千円)."""
    if abs(thousand) >= 100_000:
        return f"{thousand / 100_000:,.0f}億円"
    if abs(thousand) >= 1_000:
        return f"{thousand / 1_000:,.0f}百万円"
    return f"{thousand:,.0f}千円"


def _unit_problems(
    frame: pl.DataFrame, contract: TableContract, units: dict[str, str], file: str
) -> list[pl.DataFrame]:
    """A warning when the median of an amount looks like the wrong unit (e.g. 円 read as 千円)."""
    out = []
    for name, (low, high) in PLAUSIBLE_MEDIAN.items():
        if name not in contract.names or name not in frame.columns:
            continue
        median = frame.select(pl.col(name).filter(pl.col(name) > 0).median()).item()
        if median is None:
            continue
        unit, label = units.get(name, "千円"), contract.column(name).label.split("（")[0]
        factor = UNITS[unit]
        if high is not None and median > high:
            options = [u for u in UNIT_CHOICES if UNITS[u] < factor]
            hint = "大きすぎるようです"
        elif low is not None and median < low:
            options = [u for u in UNIT_CHOICES if UNITS[u] > factor]
            hint = "小さすぎるようです"
        else:
            continue
        choice = "、".join(f"{u}単位なら単位「{u}」" for u in options) or "桁を確認してください"
        hint = f"{hint}（元の金額が{choice}）。単位を確認して"
        out.append(
            _problem(
                "warning",
                file,
                "implausible_unit",
                f"{label}の中央値が {_yen(median)}（単位を{unit}として読んだ場合）で、{hint}ください"
                "（コマンドでは --unit、Web では単位の選択）。",
                name,
            )
        )
    return out


def _prepare(
    raw: RawTable, contract: TableContract, options: IntakeOptions
) -> tuple[pl.DataFrame | None, list[pl.DataFrame], HeaderMatch]:
    match = match_headers(raw.frame.columns, contract, options.columns)
    problems = _check_columns(raw, contract, match)
    if match.missing or match.duplicates:
        return None, problems, match
    placed = _placed(raw.frame, match)
    nested = _nested_columns(placed, contract, str(raw.path))
    if nested:
        return None, problems + nested, match
    frame = placed.with_row_index(ROW, offset=raw.first_row)
    flag = frame.select(AMOUNT_ESTIMATED).cast(pl.Boolean) if AMOUNT_ESTIMATED in frame.columns else None
    units = {
        c.name: match.units.get(c.name) or options.unit or "千円"
        for c in contract.columns
        if c.kind == "amount"
    }
    norm = _normalise(frame, contract, {c: UNITS[u] for c, u in units.items()})
    if flag is not None:
        norm = norm.with_columns(flag)
    file = str(raw.path)
    return (
        norm,
        problems + _check_values(norm, contract, file) + _unit_problems(norm, contract, units, file),
        match,
    )


def validate_tables(
    companies: RawTable, transactions: RawTable, options: IntakeOptions | None = None
) -> ValidationReport:
    """Validate two raw tables (SPEC §2) and, when error-free, build the typed :class:`Dataset`.

    Headers are placed on the contract by :func:`chiiki.data.headers.match_headers` (Japanese
    synonyms and the user's mapping in ``options``); amounts in another unit are converted to 千円."""
    options = options or IntakeOptions()
    comp, problems, c_match = _prepare(companies, COMPANIES, options)
    if comp is not None and comp.height == 0:
        problems.append(
            _problem(
                "error",
                str(companies.path),
                "no_rows",
                "企業のファイルに見出し行しかありません。企業のデータを1行以上入れてください。",
            )  # fmt: skip
        )
    if comp is not None:
        problems += _check_companies(comp, str(companies.path))
    trans, t_problems, t_match = _prepare(transactions, TRANSACTIONS, options)
    problems += t_problems
    if trans is not None:
        problems += _check_transactions(trans, comp, str(transactions.path))
    report = pl.concat([pl.DataFrame(schema=PROBLEM_SCHEMA), *problems]).sort(
        "severity", "file", "row", nulls_last=False
    )
    counts = {"companies": companies.frame.height, "transactions": transactions.frame.height}
    has_errors = report.filter(pl.col("severity") == "error").height > 0
    dataset = None
    if not has_errors and comp is not None and trans is not None:
        has_flag = AMOUNT_ESTIMATED in trans.columns
        cols = TRANSACTIONS.names + ([AMOUNT_ESTIMATED] if has_flag else [])
        repeats = report.filter(pl.col("code") == "duplicate_link")["row"]
        links = _clean_transactions(trans, repeats, has_flag) if repeats.len() else trans.select(cols)
        dataset = Dataset(_clean_companies(comp), links)
    return ValidationReport(report, dataset, counts, {"companies": c_match, "transactions": t_match})


def validate_directory(directory: str | Path, options: IntakeOptions | None = None) -> ValidationReport:
    """Find, read and validate ``companies`` and ``transactions`` in ``directory``.

    A file that cannot be found or read becomes a file-level error in the report (never an exception).
    ``options``: the user's header mapping, unit and workbook sheets (:class:`IntakeOptions`).
    """
    directory = Path(directory)
    options = options or IntakeOptions()
    raws: dict[str, RawTable] = {}
    problems = []
    for table in ("companies", "transactions"):
        try:
            path = find_table_file(directory, table)
            check_file(path)  # before parsing: a hostile file never reaches the parser
            raws[table] = read_raw_table(path, table=table, sheet=options.sheet_for(table))
        except DataReadError as exc:
            problems.append(_problem("error", str(directory / table), "unreadable_file", str(exc)))
    if problems:
        return ValidationReport(pl.concat(problems), None, {})
    return validate_tables(raws["companies"], raws["transactions"], options)
