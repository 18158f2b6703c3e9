"""Versioned all-or-nothing import, and the synthetic economy (SPEC §2, issue: foundation)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.data import read_dataset
from chiiki.data.datasets import (
    current_dataset_path,
    current_version,
    import_dataset,
    list_versions,
    sha256_file,
)
from chiiki.data.synth import generate_economy
from chiiki.data.validation import DataValidationError, validate_directory


def test_synthetic_economy_passes_validation(small_economy_dir):
    report = validate_directory(small_economy_dir)
    assert not report.has_errors, report.by_code()
    assert report.warnings.height == 0


def test_synth_is_deterministic_to_the_byte(tmp_path):
    from typer.testing import CliRunner

    from chiiki.cli.main import app

    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        res = CliRunner().invoke(
            app, ["synth", "--firms", "1500", "--seed", "5", "--out", str(out), "--missing-amounts", "0.3"]
        )
        assert res.exit_code == 0, res.output
        digests.append([sha256_file(out / f) for f in ("companies.parquet", "transactions.parquet")])
    assert digests[0] == digests[1]
    other = generate_economy(n_firms=1500, seed=6)
    assert not other.companies.equals(read_dataset(tmp_path / "a").companies)


def test_synth_missing_amount_share(tmp_path):
    ds = generate_economy(n_firms=2000, seed=3, missing_amounts=0.3)
    share = ds.transactions["amount"].is_null().mean()
    assert 0.27 < share < 0.33


def test_synthetic_economy_is_realistic(small_economy):
    c = small_economy.companies.filter(pl.col("fiscal_year") == 2024)
    t = small_economy.transactions.filter(pl.col("fiscal_year") == 2024)
    # Fukushima present; heavy-tailed sizes.
    assert c.filter(pl.col("prefecture_code") == "07").height > 20
    sales = c["sales"].to_numpy()
    assert np.quantile(sales, 0.99) / np.median(sales) > 20
    # Most purchases are in-region, a minority of firms carries most out-of-region sales.
    region = c.select("company_id", "prefecture_code")
    j = t.join(region.rename({"company_id": "supplier_id", "prefecture_code": "ps"}), on="supplier_id").join(
        region.rename({"company_id": "customer_id", "prefecture_code": "pc"}), on="customer_id"
    )
    in_share = j.filter(pl.col("ps") == pl.col("pc"))["amount"].sum() / j["amount"].sum()
    assert 0.55 < in_share < 0.9
    out = j.filter(pl.col("ps") != pl.col("pc")).group_by("supplier_id").agg(pl.col("amount").sum())
    top = out["amount"].sort(descending=True)
    assert top.head(max(1, c.height // 100)).sum() / top.sum() > 0.25
    # Link amounts of a supplier never exceed its sales.
    sold = (
        t.group_by("supplier_id")
        .agg(pl.col("amount").sum())
        .join(c.select(pl.col("company_id").alias("supplier_id"), "sales"), on="supplier_id")
    )
    assert (sold["amount"] <= sold["sales"] + 1).all()
    # Growth varies between firms.
    g = small_economy.companies.pivot(on="fiscal_year", index="company_id", values="sales")
    ratio = (g["2024"] / g["2022"]).to_numpy()
    assert np.std(np.log(ratio)) > 0.05


def test_synthetic_firms_buy_less_than_they_sell(small_economy):
    """Every firm's purchases from the data set's firms stay below its sales, in every year (as real
    firms' do), so the firm ripple's input coefficients of a firm sum to less than 1 (SPEC §3.5)."""
    bought = small_economy.transactions.group_by("customer_id", "fiscal_year").agg(pl.col("amount").sum())
    firms = small_economy.companies.join(
        bought.rename({"customer_id": "company_id"}), on=["company_id", "fiscal_year"], how="left"
    ).with_columns(pl.col("amount").fill_null(0))
    assert firms.filter(pl.col("amount") >= pl.col("sales")).height == 0
    ratio = (firms["amount"] / firms["sales"]).to_numpy()
    assert ratio.max() <= 0.81
    assert np.quantile(ratio, 0.99) > 0.5  # the cap binds for the heavy buyers only


def test_import_stores_a_new_version_and_rejects_errors(tmp_path, small_economy_dir):
    data_dir = tmp_path / "store"
    first = import_dataset(small_economy_dir, data_dir)
    assert first.version == "v0001" and current_version(data_dir) == "v0001"
    assert first.manifest["counts"]["companies"] == 9000
    bad = tmp_path / "bad"
    bad.mkdir()
    c = pl.read_parquet(small_economy_dir / "companies.parquet")
    c.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(-1).otherwise(pl.col("sales")).alias("sales")
    ).write_parquet(bad / "companies.parquet")
    (bad / "transactions.parquet").write_bytes((small_economy_dir / "transactions.parquet").read_bytes())
    with pytest.raises(DataValidationError) as exc:
        import_dataset(bad, data_dir)
    assert exc.value.report.errors["row"].to_list() == [6]
    assert list_versions(data_dir) == ["v0001"] and current_version(data_dir) == "v0001"
    second = import_dataset(small_economy_dir, data_dir)
    assert second.version == "v0002"
    assert read_dataset(current_dataset_path(data_dir)).companies.height == 9000


def _tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        if f.is_file():
            h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


@pytest.mark.slow
def test_killed_import_leaves_previous_version_intact(tmp_path):
    src = tmp_path / "src"
    generate_economy(n_firms=60_000, seed=2)  # warm caches so the child's timing is stable
    from chiiki.data.datasets import write_dataset

    write_dataset(generate_economy(n_firms=60_000, seed=2), src)
    data_dir = tmp_path / "store"
    import_dataset(src, data_dir)
    before = _tree_digest(data_dir / "datasets" / "default" / "v0001")
    env = {**os.environ, "CHIIKI_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "chiiki.cli.main", "import", str(src)]
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        current = current_version(data_dir)
        assert current in list_versions(data_dir)
        ds = read_dataset(current_dataset_path(data_dir))  # the current version is always complete
        assert ds.companies.height == 180_000
        assert _tree_digest(data_dir / "datasets" / "default" / "v0001") == before
    after = import_dataset(src, data_dir)  # leftovers of killed runs are cleaned up
    assert not list((data_dir / "datasets" / "default").glob(".staging-*"))
    assert after.version == list_versions(data_dir)[-1]
