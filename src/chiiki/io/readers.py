"""Read input–output tables in the tidy long form and the wide form of SPEC §5.

Long form: ``input_type, input_name, output_type, output_name, value[_suffix]`` (``value_M`` = 百万円),
plus ``input_region, output_region`` for an interregional table. Wide form: an ``input`` column of
``type/name`` row labels and one ``type/name`` column per output (``type/region/name`` with
``regions=True``). Files: CSV (UTF-8 or Shift_JIS/CP932), Excel (.xlsx/.xlsm) or Parquet.

Types: rows ``industry`` or ``valueadded`` (and ``employment`` for a jobs row); columns ``industry``,
``finaldemand``, ``export`` or ``import`` (negative, 控除). Value-added cells outside industry columns
are ignored; empty cells are 0.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import polars as pl

from chiiki.io.checks import check_table
from chiiki.io.errors import IOTableError
from chiiki.io.table import UNIT_SUFFIXES, IOSettings, IOTable, find_label

ROW_TYPES = ("industry", "valueadded", "employment")
COLUMN_TYPES = ("industry", "finaldemand", "export", "import")
LONG_COLUMNS = ("input_type", "input_name", "output_type", "output_name")
REGION_COLUMNS = ("input_region", "output_region")
_SEP = "\x1f"
_MAX_LISTED = 20


def _listed(problems: list[str]) -> list[str]:
    if len(problems) <= _MAX_LISTED:
        return problems
    return [*problems[:_MAX_LISTED], f"ほか {len(problems) - _MAX_LISTED} 件"]


def read_text_frame(path: str | Path) -> pl.DataFrame:
    """Read a CSV (UTF-8 / Shift_JIS), Excel or Parquet file with every column as text (Parquet as
    stored)."""
    from chiiki.data.readers import DataReadError, decode_csv_bytes

    path = Path(path)
    if not path.exists():
        raise IOTableError(f"{path}: ファイルが見つかりません。パスを確認してください。")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix in (".xlsx", ".xlsm"):
            return pl.read_excel(path, engine="calamine", infer_schema_length=0)
        text, _ = decode_csv_bytes(path.read_bytes(), path)
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except DataReadError as exc:
        raise IOTableError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one clear message
        raise IOTableError(
            f"{path}: 表を読み込めません（{exc}）。CSV・Excel・Parquet の形式を確認してください。"
        ) from exc


def _value_column(frame: pl.DataFrame, source: str) -> tuple[str, str]:
    found = [c for c in frame.columns if c == "value" or c.startswith("value_")]
    if len(found) != 1:
        raise IOTableError(
            f"{source}: 値の列（value または value_M のように単位付き）が1つ必要です（見つかった列: {found}）。"
        )
    suffix = found[0].removeprefix("value").removeprefix("_")
    if suffix not in UNIT_SUFFIXES:
        raise IOTableError(
            f"{source}: 値の列名「{found[0]}」の単位 {suffix} が分かりません。"
            f"value_M（百万円）や value_K（千円）を使ってください。"
        )
    return found[0], UNIT_SUFFIXES[suffix]


def _numbers(frame: pl.DataFrame, column: str, source: str) -> pl.Series:
    """Parse ``column`` to Float64 (commas allowed, empty = 0); every unparsable cell is reported."""
    raw = frame[column]
    if raw.dtype.is_numeric():
        return raw.cast(pl.Float64).fill_null(0.0)
    text = raw.cast(pl.Utf8).str.strip_chars().str.replace_all(",", "")
    parsed = text.cast(pl.Float64, strict=False)
    bad = frame.filter(parsed.is_null() & text.is_not_null() & (text != ""))
    if bad.height:
        problems = [f"{where}: 「{value}」" for where, value in zip(bad["where"], bad[column], strict=True)]
        raise IOTableError(
            f"{source}: 数値として読めない値があります。数字だけにしてください。", _listed(problems)
        )
    return parsed.fill_null(0.0)


def _first_appearance(keys: pl.Series) -> list[str]:
    return keys.unique(maintain_order=True).to_list()


def _split_key(key: str) -> tuple[str, str]:
    region, _, name = key.partition(_SEP)
    return region, name


def table_from_long(
    frame: pl.DataFrame,
    *,
    settings: IOSettings | None = None,
    unit: str | None = None,
    source: str = "産業連関表",
    check: bool = True,
    check_balance: bool = True,
) -> IOTable:
    """Build an :class:`IOTable` from a long-form frame (SPEC §5) and check it.

    ``unit`` overrides the unit taken from the value column's suffix. An optional ``where`` column
    (e.g. "行 12") names each row's place in the source file for error messages. ``check=False``
    skips :func:`chiiki.io.checks.check_table`; ``check_balance=False`` skips only the row/column
    balance check.
    """
    settings = settings or IOSettings()
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise IOTableError(
            f"{source}: 縦持ち形式の列 {', '.join(missing)} がありません。"
            f"必要な列: {', '.join(LONG_COLUMNS)}, value（または value_M）。"
        )
    value_column, suffix_unit = _value_column(frame, source)
    interregional = any(c in frame.columns for c in REGION_COLUMNS)
    if interregional and not all(c in frame.columns for c in REGION_COLUMNS):
        raise IOTableError(f"{source}: 地域間表には input_region と output_region の両方の列が必要です。")
    if "where" not in frame.columns:
        frame = frame.with_columns(where=pl.format("行 {}", pl.int_range(2, pl.len() + 2)))
    text = [pl.col(c).cast(pl.Utf8).str.strip_chars() for c in LONG_COLUMNS]
    regions = (
        [pl.col(c).cast(pl.Utf8).str.strip_chars().fill_null("") for c in REGION_COLUMNS]
        if interregional
        else [pl.lit("").alias(c) for c in REGION_COLUMNS]
    )
    df = frame.select(
        *text, *regions, pl.col("where"), value=_numbers(frame, value_column, source)
    ).with_columns(pl.col("input_type", "output_type").str.to_lowercase())

    problems = []
    for column, allowed in (("input_type", ROW_TYPES), ("output_type", COLUMN_TYPES)):
        bad = df.filter(~pl.col(column).is_in(allowed))
        problems += [
            f"{w}: {column} が「{v}」（使える値: {', '.join(allowed)}）"
            for w, v in bad.select("where", column).rows()
        ]
    empty = df.filter(pl.col("input_name").is_null() | pl.col("output_name").is_null())
    problems += [f"{w}: 部門名・項目名が空です" for w in empty["where"]]
    if problems:
        raise IOTableError(f"{source}: 行・列の種類や名前が正しくない行があります。", _listed(problems))

    df = df.with_columns(
        in_key=pl.when(pl.col("input_type") == "industry")
        .then(pl.concat_str("input_region", "input_name", separator=_SEP))
        .otherwise(pl.col("input_name")),
        out_key=pl.concat_str("output_region", "output_name", separator=_SEP),
    )
    dup = df.filter(pl.struct("input_type", "in_key", "output_type", "out_key").is_duplicated())
    if dup.height:
        raise IOTableError(
            f"{source}: 同じ行・列の組み合わせが複数回あります。1つにまとめてください。",
            _listed(
                [f"{w}: {a} × {b}" for w, a, b in dup.select("where", "input_name", "output_name").rows()]
            ),
        )

    row_industries = _first_appearance(df.filter(pl.col("input_type") == "industry")["in_key"])
    column_industries = _first_appearance(df.filter(pl.col("output_type") == "industry")["out_key"])
    industries = column_industries  # the order of the industry columns
    only_rows = sorted(set(row_industries) - set(column_industries))
    only_columns = sorted(set(column_industries) - set(row_industries))
    if only_rows or only_columns or not industries:
        problems = [f"行だけにある部門: {_split_key(k)[1]}" for k in only_rows]
        problems += [f"列だけにある部門: {_split_key(k)[1]}" for k in only_columns]
        raise IOTableError(
            f"{source}: 産業の行と列が同じ部門になっていません。", problems or ["産業の行がありません"]
        )

    def block(row_type: str, col_type: str, row_keys: list[str], col_keys: list[str]) -> np.ndarray:
        part = df.filter(
            (pl.col("input_type") == row_type)
            & (pl.col("output_type") == col_type)
            & pl.col("in_key").is_in(row_keys)  # e.g. only the chosen one of several employment rows
            & pl.col("out_key").is_in(col_keys)
        )
        out = np.zeros((len(row_keys), len(col_keys)))
        if part.height:
            ri = part["in_key"].replace_strict({k: i for i, k in enumerate(row_keys)}, return_dtype=pl.Int64)
            ci = part["out_key"].replace_strict({k: i for i, k in enumerate(col_keys)}, return_dtype=pl.Int64)
            np.add.at(out, (ri.to_numpy(), ci.to_numpy()), part["value"].to_numpy())
        return out

    def columns_of(col_type: str) -> list[str]:
        return _first_appearance(df.filter(pl.col("output_type") == col_type)["out_key"])

    fd_keys, ex_keys, im_keys = columns_of("finaldemand"), columns_of("export"), columns_of("import")
    va_all = _first_appearance(df.filter(pl.col("input_type") == "valueadded")["in_key"])
    emp_names = _first_appearance(df.filter(pl.col("input_type") == "employment")["in_key"])
    employment = None
    employment_name = settings.employment_row
    if employment_name is None and len(emp_names) == 1:
        employment_name = emp_names[0]
    if employment_name is not None:
        candidates = emp_names + va_all
        chosen = candidates[find_label(candidates, employment_name, what="就業者数（雇用）の行")]
        row_type = "employment" if chosen in emp_names else "valueadded"
        employment = block(row_type, "industry", [chosen], industries)[0]
        va_all = [k for k in va_all if not (row_type == "valueadded" and k == chosen)]
    elif len(emp_names) > 1:
        raise IOTableError(
            f"{source}: employment の行が複数あります。設定 employment_row でどれを使うか指定してください。",
            [f"候補: {', '.join(emp_names)}"],
        )
    ind_regions = [_split_key(k)[0] for k in industries]
    table = IOTable(
        sectors=tuple(_split_key(k)[1] for k in industries),
        regions=tuple(ind_regions) if interregional else None,
        Z=block("industry", "industry", industries, industries),
        final_demand=block("industry", "finaldemand", industries, fd_keys),
        final_demand_names=tuple(_split_key(k)[1] for k in fd_keys),
        final_demand_regions=tuple(_split_key(k)[0] for k in fd_keys) if interregional else None,
        exports=block("industry", "export", industries, ex_keys),
        export_names=tuple(_split_key(k)[1] for k in ex_keys),
        imports=block("industry", "import", industries, im_keys),
        import_names=tuple(_split_key(k)[1] for k in im_keys),
        value_added=block("valueadded", "industry", va_all, industries),
        value_added_names=tuple(va_all),
        employment=employment,
        unit=suffix_unit if unit is None else unit,
        settings=settings,
    )
    if check:
        check_table(table, balance=check_balance)
    return table


def read_io_long(
    path: str | Path,
    *,
    settings: IOSettings | None = None,
    unit: str | None = None,
    check_balance: bool = True,
) -> IOTable:
    """Read a long-form table file (SPEC §5) into a checked :class:`IOTable`.

    The unit comes from the value column's suffix (``value_M`` → 百万円) unless ``unit`` is given.
    """
    frame = read_text_frame(path)
    return table_from_long(frame, settings=settings, unit=unit, source=str(path), check_balance=check_balance)


def wide_to_long(frame: pl.DataFrame, *, regions: bool = False, source: str = "産業連関表") -> pl.DataFrame:
    """Turn the wide form (``input`` + one ``type/name`` column per output) into the long form.

    With ``regions=True`` labels are ``type/region/name``. Empty cells are dropped.
    """
    if "input" not in frame.columns:
        raise IOTableError(f"{source}: 横持ち形式の行ラベル列「input」がありません。")
    parts = 3 if regions else 2
    form = "種類/地域/名前" if regions else "種類/名前"
    labels = [c for c in frame.columns if c != "input"]
    bad = [c for c in labels if len(c.split("/", parts - 1)) < parts]
    bad_rows = [
        r for r in frame["input"].cast(pl.Utf8).to_list() if r is None or len(r.split("/", parts - 1)) < parts
    ]
    if bad or bad_rows:
        problems = [f"列「{c}」" for c in bad] + [f"行「{r}」" for r in bad_rows]
        raise IOTableError(f"{source}: ラベルが「{form}」の形になっていません。", _listed(problems))
    long = (
        frame.with_columns(pl.col(labels).cast(pl.Utf8), row=pl.int_range(2, pl.len() + 2))
        .unpivot(index=["input", "row"], variable_name="output", value_name="value")
        .filter(pl.col("value").is_not_null() & (pl.col("value").str.strip_chars() != ""))
    )
    names = ["input_type", "input_region", "input_name"] if regions else ["input_type", "input_name"]
    out_names = [n.replace("input", "output") for n in names]
    return long.select(
        pl.col("input").str.splitn("/", parts).struct.rename_fields(names).struct.unnest(),
        pl.col("output").str.splitn("/", parts).struct.rename_fields(out_names).struct.unnest(),
        pl.col("value"),
        where=pl.format("行 {}, 列「{}」", pl.col("row"), pl.col("output")),
    )


def read_io_wide(
    path: str | Path,
    *,
    settings: IOSettings | None = None,
    unit: str = "百万円",
    regions: bool = False,
    check_balance: bool = True,
) -> IOTable:
    """Read a wide-form table file (SPEC §5) into a checked :class:`IOTable` (unit default 百万円)."""
    frame = read_text_frame(path)
    long = wide_to_long(frame, regions=regions, source=str(path))
    return table_from_long(long, settings=settings, unit=unit, source=str(path), check_balance=check_balance)
