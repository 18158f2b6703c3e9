"""Integer company codes: the stored form that lets firm analytics (SPEC §3) skip string-id joins.

A stored data set (``chiiki synth`` / ``import`` / ``estimate-amounts``, SPEC §2) keeps its two
contract files exactly as the contract says, so ``chiiki validate`` and any reader see the same
tables as before. Beside them, two derived files give every row an integer code:

- ``companies.codes.parquet``: ``fiscal_year, company_code``, one row per row of ``companies.parquet``;
- ``transactions.codes.parquet``: ``fiscal_year, supplier_code, customer_code``, one row per row of
  ``transactions.parquet``.

``company_code`` is the position of ``company_id`` among the data set's distinct company ids sorted
as text (all years; UInt32), so the same firm has the same code in every year and code order is id
order. A link party that is not a company of the data set gets a null code. The codes are written
together with the tables and listed in the manifest under ``company_codes``; a data set without
them (older versions, raw directories) is read and analysed through the string ids as before.

Frames carrying ``company_code`` / ``supplier_code`` / ``customer_code`` are "coded": the firm
analytics map links to firms with one array lookup instead of two joins (:mod:`chiiki.firms.network`).
The codes are not part of the input contract: validation still rejects such columns in user files.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from chiiki.data.contract import AMOUNT_ESTIMATED, COMPANIES, TRANSACTIONS, Dataset

COMPANY_CODE = "company_code"
SUPPLIER_CODE = "supplier_code"
CUSTOMER_CODE = "customer_code"
CODE_COLUMNS = (COMPANY_CODE, SUPPLIER_CODE, CUSTOMER_CODE)
CODE_FILES = {"companies": "companies.codes.parquet", "transactions": "transactions.codes.parquet"}
MANIFEST_KEY = "company_codes"
SCHEME = "rank of company_id among the data set's sorted distinct ids (UInt32); null: not a company"


def strip_codes(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without the code columns (what the contract files hold)."""
    return frame.drop([c for c in CODE_COLUMNS if c in frame.columns])


def code_frames(companies: pl.DataFrame, transactions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Row-aligned code frames ``fiscal_year, company_code`` and ``fiscal_year, supplier_code,
    customer_code`` for a data set's two tables (see the module docstring for the scheme)."""
    table = (
        companies.select(pl.col("company_id").drop_nulls().unique().sort())
        .with_row_index(COMPANY_CODE)
        .select("company_id", pl.col(COMPANY_CODE).cast(pl.UInt32))
    )

    def coded(frame: pl.DataFrame, id_col: str, code_col: str) -> pl.LazyFrame:
        return frame.lazy().join(
            table.lazy().rename({"company_id": id_col, COMPANY_CODE: code_col}),
            on=id_col,
            how="left",
            maintain_order="left",
        )

    comp = coded(companies.select("fiscal_year", "company_id"), "company_id", COMPANY_CODE)
    links = coded(
        coded(
            transactions.select("fiscal_year", "supplier_id", "customer_id"), "supplier_id", SUPPLIER_CODE
        ).collect(),
        "customer_id",
        CUSTOMER_CODE,
    )
    comp_codes, link_codes = pl.collect_all(
        [
            comp.select("fiscal_year", COMPANY_CODE),
            links.select("fiscal_year", SUPPLIER_CODE, CUSTOMER_CODE),
        ]
    )
    return comp_codes, link_codes


def with_codes(dataset: Dataset) -> Dataset:
    """``dataset`` with the code columns attached (any old ones replaced): the in-memory coded form."""
    companies, transactions = strip_codes(dataset.companies), strip_codes(dataset.transactions)
    comp_codes, link_codes = code_frames(companies, transactions)
    return Dataset(
        companies.with_columns(comp_codes.get_column(COMPANY_CODE)),
        transactions.with_columns(link_codes.get_column(SUPPLIER_CODE), link_codes.get_column(CUSTOMER_CODE)),
    )


def write_code_files(dataset: Dataset, directory: Path) -> dict:
    """Write the two code files of ``dataset`` into ``directory``; returns the manifest entry."""
    comp_codes, link_codes = code_frames(dataset.companies, dataset.transactions)
    files = {}
    for table, frame in (("companies", comp_codes), ("transactions", link_codes)):
        path = directory / CODE_FILES[table]
        frame.write_parquet(path)
        files[table] = {"file": path.name, "rows": frame.height}
    return {"scheme": SCHEME, "files": files}


def _scan(path: Path, names: list[str], years: list[int] | None) -> pl.LazyFrame:
    lf = pl.scan_parquet(path)
    available = lf.collect_schema().names()
    if years is not None:
        lf = lf.filter(pl.col("fiscal_year").is_in(years))
    return lf.select([c for c in names if c in available])


def _unchanged(directory: Path, manifest: dict) -> bool:
    """The contract files still have the sizes the manifest recorded when the codes were written."""
    files = manifest.get("files") or {}
    for name in ("companies.parquet", "transactions.parquet"):
        info = files.get(name)
        if not isinstance(info, dict) or (directory / name).stat().st_size != info.get("bytes"):
            return False
    return True


def scan_stored(
    directory: Path,
    manifest: dict,
    *,
    company_years: list[int] | None = None,
    link_years: list[int] | None = None,
    coded: bool = False,
    company_columns: list[str] | None = None,
) -> Dataset:
    """Read a stored (validated) Parquet data set, only the years (and, with ``company_columns``,
    only the company columns) asked for.

    With ``coded`` and code files present (manifest ``company_codes``), ``companies`` gets
    ``company_code`` and ``transactions`` comes in the coded form ``fiscal_year, amount,
    [amount_estimated,] supplier_code, customer_code`` (no string ids: the analyses that map links
    to firms do not need them). Otherwise (no code files, or a contract file whose size is not the
    one in the manifest) the contract columns are read as stored.
    """
    comp_path, tx_path = directory / "companies.parquet", directory / "transactions.parquet"
    link_names = [*TRANSACTIONS.names, AMOUNT_ESTIMATED]
    company_names = COMPANIES.names if company_columns is None else company_columns
    entry = manifest.get(MANIFEST_KEY) or {}
    code_paths = {t: directory / CODE_FILES[t] for t in CODE_FILES}
    usable = coded and entry and all(p.exists() for p in code_paths.values())
    if not (usable and _unchanged(directory, manifest)):
        companies, transactions = pl.collect_all(
            [_scan(comp_path, company_names, company_years), _scan(tx_path, link_names, link_years)]
        )
        return Dataset(companies, transactions)
    link_names = [c for c in link_names if c not in ("supplier_id", "customer_id")]
    companies, comp_codes, transactions, link_codes = pl.collect_all(
        [
            _scan(comp_path, company_names, company_years),
            _scan(code_paths["companies"], [COMPANY_CODE], company_years),
            _scan(tx_path, link_names, link_years),
            _scan(code_paths["transactions"], [SUPPLIER_CODE, CUSTOMER_CODE], link_years),
        ]
    )
    if comp_codes.height != companies.height or link_codes.height != transactions.height:
        return scan_stored(
            directory, {}, company_years=company_years, link_years=link_years, company_columns=company_columns
        )
    return Dataset(companies.hstack(comp_codes), transactions.hstack(link_codes))
