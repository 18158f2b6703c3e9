"""Versioned, all-or-nothing storage of validated firm data sets under a data directory (SPEC §2).

Layout::

    <data_dir>/datasets/<name>/v0001/{companies.parquet, transactions.parquet, chiiki-manifest.json,
                                      companies.codes.parquet, transactions.codes.parquet}
    <data_dir>/datasets/<name>/CURRENT      # the current version, e.g. "v0002"

An import validates first and writes nothing when there is any error. It then writes a staging
directory, flushes it to disk, renames it into place (atomic) and only then switches ``CURRENT``
(atomic replace). A crash or kill at any point leaves the previous version current and intact;
leftover staging directories are removed by the next import.

The two ``*.codes.parquet`` files are derived integer company codes (:mod:`chiiki.data.codes`) that
let the firm analytics (SPEC §3) skip string-id joins; the contract files are unchanged by them.
Parquet files carry row-group statistics, so reading one fiscal year skips the other years' groups.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from chiiki.data.codes import MANIFEST_KEY, strip_codes, write_code_files
from chiiki.data.contract import Dataset
from chiiki.data.headers import IntakeOptions
from chiiki.data.locks import import_lock
from chiiki.data.readers import MANIFEST
from chiiki.data.validation import DataValidationError, ValidationReport, validate_directory

STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class ImportResult:
    """A stored data-set version: its name (``v0003``), directory and manifest."""

    version: str
    path: Path
    manifest: dict


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_dataset(
    dataset: Dataset, directory: Path, *, fmt: str = "parquet", info: dict | None = None
) -> dict:
    """Write ``dataset`` as ``companies.<fmt>`` and ``transactions.<fmt>`` plus a manifest marking it
    validated (the caller guarantees it is). Parquet data sets also get the integer company codes
    (:mod:`chiiki.data.codes`). Returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    dataset = Dataset(strip_codes(dataset.companies), strip_codes(dataset.transactions))
    files = {}
    for table, frame in (("companies", dataset.companies), ("transactions", dataset.transactions)):
        path = directory / f"{table}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        elif fmt == "csv":
            frame.write_csv(path)
        else:
            raise ValueError(f"出力形式は parquet か csv です: {fmt}")
        with path.open("rb+") as f:
            os.fsync(f.fileno())
        files[path.name] = {"sha256": sha256_file(path), "rows": frame.height, "bytes": path.stat().st_size}
    manifest = {
        "validated": True,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
        "years": dataset.years,
        **(info or {}),
    }
    if fmt == "parquet":
        codes = write_code_files(dataset, directory)
        for entry in codes["files"].values():
            with (directory / entry["file"]).open("rb+") as f:
                os.fsync(f.fileno())
        manifest[MANIFEST_KEY] = codes
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
    _fsync_dir(directory)
    return manifest


def dataset_root(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / "datasets" / name


def _versions_in(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("v[0-9]*") if p.is_dir()) if root.exists() else []


def list_versions(data_dir: Path, name: str = "default") -> list[str]:
    return _versions_in(dataset_root(data_dir, name))


def current_version(data_dir: Path, name: str = "default") -> str | None:
    pointer = dataset_root(data_dir, name) / "CURRENT"
    return pointer.read_text("utf-8").strip() if pointer.exists() else None


def current_dataset_path(data_dir: Path, name: str = "default") -> Path:
    """Directory of the current version of data set ``name``; a Japanese error when none exists."""
    version = current_version(data_dir, name)
    if version is None:
        raise FileNotFoundError(
            f"データセット「{name}」はまだ取り込まれていません（{dataset_root(data_dir, name)}）。"
            "chiiki import で取り込んでください。"
        )
    return dataset_root(data_dir, name) / version


def _report_summary(report: ValidationReport) -> dict:
    return {
        "errors": report.errors.height,
        "warnings": report.warnings.height,
        "by_code": report.by_code().select("severity", "code", "count").to_dicts(),
    }


def import_dataset(
    source_dir: Path,
    data_dir: Path,
    *,
    name: str = "default",
    actor: str | None = None,
    wait_s: float = 0.0,
    on_wait: Callable[[], None] | None = None,
    locked: bool = False,
    options: IntakeOptions | None = None,
) -> ImportResult:
    """Validate ``source_dir`` and store it as the next version of data set ``name``.

    Raises :class:`DataValidationError` (with the full report) and writes nothing when there are errors.
    One import per data set at a time (:func:`chiiki.data.locks.import_lock`): a second one waits up to
    ``wait_s`` seconds (calling ``on_wait`` once), then raises :class:`ImportBusyError`. ``locked``:
    the caller already holds the lock (it registers the version under the same lock). ``options``:
    the user's header mapping, unit and sheets (:class:`chiiki.data.headers.IntakeOptions`).
    """
    report = validate_directory(source_dir, options)
    if report.has_errors or report.dataset is None:
        raise DataValidationError(report)
    root = dataset_root(data_dir, name)
    if locked:
        return _store_version(report, source_dir, root, name=name, actor=actor, options=options)
    with import_lock(root, wait_s=wait_s, on_wait=on_wait):
        return _store_version(report, source_dir, root, name=name, actor=actor, options=options)


def _store_version(
    report: ValidationReport,
    source_dir: Path,
    root: Path,
    *,
    name: str,
    actor: str | None,
    options: IntakeOptions | None = None,
) -> ImportResult:
    """Write the validated data as the next version under ``root`` (the import lock held)."""
    for leftover in root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    versions = _versions_in(root)
    version = f"v{(int(versions[-1][1:]) + 1) if versions else 1:04d}"
    staging = root / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    info = {
        "name": name,
        "version": version,
        "source": str(Path(source_dir).resolve()),
        "actor": actor,
        "counts": report.counts,
        "report": _report_summary(report),
        "columns": {t: m.as_mapping() for t, m in report.matches.items()},
        **({"intake": options.to_json()} if options is not None else {}),
    }
    try:
        manifest = write_dataset(report.dataset, staging, info=info)
        os.rename(staging, root / version)
        _fsync_dir(root)
        pointer_tmp = root / f"{STAGING_PREFIX}CURRENT-{uuid.uuid4().hex}"
        pointer_tmp.write_text(version, "utf-8")
        with pointer_tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(pointer_tmp, root / "CURRENT")
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ImportResult(version, root / version, manifest)


def problems_to_json(problems: pl.DataFrame) -> str:
    return json.dumps(problems.to_dicts(), ensure_ascii=False, indent=1)
