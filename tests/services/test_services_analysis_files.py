"""Analyses built once per data-set version, one fiscal year at a time (issue #15 §1, §5)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chiiki.data import read_dataset
from chiiki.services import analysis_files
from chiiki.services.analysis_files import build_analyses, compute_firm_year, load_firms, load_links


@pytest.fixture
def version_dir(tmp_path, small_economy_dir):
    target = tmp_path / "v1"
    shutil.copytree(small_economy_dir, target)
    return target


def test_each_year_is_built_from_that_year_alone_and_equals_the_whole_data_set_result(
    version_dir, monkeypatch
):
    reads = []
    real = analysis_files.load_dataset

    def recording(directory, **kwargs):
        reads.append(kwargs)
        return real(directory, **kwargs)

    monkeypatch.setattr(analysis_files, "load_dataset", recording)
    manifest = build_analyses(version_dir)
    assert sorted(manifest["years"]) == ["2022", "2023", "2024"]
    # one read per year (its links only, its score window of companies) and one for the industry frame
    per_year = [r for r in reads if r.get("link_years")]
    assert [r["link_years"] for r in per_year] == [[2022], [2023], [2024]]
    assert all(
        len(r["company_years"]) <= 3 and max(r["company_years"]) == r["link_years"][0] for r in per_year
    )
    assert [r for r in reads if not r.get("link_years")] == [
        {"link_years": [], "company_columns": analysis_files.INDUSTRY_COLUMNS}
    ]

    whole = read_dataset(version_dir)
    for year in (2022, 2023, 2024):
        expected, _, _ = compute_firm_year(whole, year)
        assert_frame_equal(load_firms(version_dir, year), expected)
        by_supplier, by_customer = load_links(version_dir, year)
        assert (
            by_supplier.height
            == by_customer.height
            == whole.transactions.filter(pl.col("fiscal_year") == year).height
        )
        assert by_supplier.get_column("supplier_id").is_sorted()
    from chiiki.industry import matrix_from_firms

    assert_frame_equal(
        analysis_files.load_industry(version_dir), matrix_from_firms(whole, region="prefecture")
    )


def test_a_built_version_is_never_recomputed(version_dir, monkeypatch):
    first = build_analyses(version_dir)

    def refuse(*_a, **_k):
        raise AssertionError("recomputed")

    monkeypatch.setattr(analysis_files, "compute_firm_year", refuse)
    assert build_analyses(version_dir) == first


def test_a_failed_build_leaves_no_partial_analyses(version_dir, monkeypatch):
    calls = []

    def fail_on_second(ds, year):
        calls.append(year)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return compute_firm_year(ds, year)

    monkeypatch.setattr(analysis_files, "compute_firm_year", fail_on_second)
    with pytest.raises(RuntimeError):
        build_analyses(version_dir)
    assert not analysis_files.analyses_dir(version_dir).exists()
    assert not [p for p in version_dir.iterdir() if p.name.startswith(".analyses-")]
