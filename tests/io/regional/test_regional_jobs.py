"""Jobs and 人材需要 (SPEC §7.3): e = employees / X, jobs = ê·ΔX per stage, whole persons that add up."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_array_equal
from regional_data import toy_national

from chiiki.io import IOTableError, ripple_stages
from chiiki.io.jobs import PERSONS, induced_jobs, round_persons, talent_demand, with_employment
from chiiki.io.scenario import DemandScenario


def test_round_persons_keeps_the_rounded_total():
    assert_array_equal(round_persons(np.array([1.4, 1.4, 1.2])), [2, 1, 1])  # total 4.0
    # totals 2.0 and 2.4 → 2 and 2; the largest remainders (first-seen among ties; −0.2 has 0.8) get the units
    assert_array_equal(
        round_persons(np.array([[0.5, 0.5, 0.5, 0.5], [2.6, -0.2, 0.0, 0.0]])), [[1, 1, 0, 0], [2, 0, 0, 0]]
    )
    rng = np.random.default_rng(3)
    values = rng.random((50, 4, 37)) * 100
    rounded = round_persons(values)
    assert_array_equal(rounded.sum(axis=-1), np.rint(values.sum(axis=-1)))
    assert np.abs(rounded - values).max() < 1.0


def employed():
    return with_employment(toy_national(), np.array([10.0, 20.0, 5.0]))  # e = 0.1, 0.2, 0.05 per 百万円


def test_jobs_are_employment_coefficients_times_each_stage():
    table = employed()
    F = np.array([100.0, 0.0, 50.0])
    stages = ripple_stages(table, F, c=0.5)
    jobs = induced_jobs(table, [DemandScenario("A", F)], c=0.5)
    e = np.array([0.1, 0.2, 0.05])
    expected = np.stack(
        [e * stages.direct[:, 0], e * stages.first_indirect[:, 0], e * stages.second_indirect[:, 0]]
    )
    np.testing.assert_allclose(jobs.raw[0], expected)
    totals = dict(zip(jobs.totals["段階"], jobs.totals[PERSONS], strict=True))
    assert totals["直接効果"] == round(expected[0].sum())
    assert totals["総合効果"] == totals["直接効果"] + totals["第1次間接効果"] + totals["第2次間接効果"]
    assert jobs.by_sector[PERSONS].dtype == pl.Int64


def test_jobs_by_jsic_major_split_each_sector_and_add_up():
    table = employed()
    majors = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]])  # sector 3 has no 大分類
    jobs = induced_jobs(
        table, [DemandScenario("A", np.array([100.0, 100.0, 100.0]))], majors=majors, major_codes=("A", "E")
    )
    labels = jobs.by_major["産業大分類"].unique(maintain_order=True).to_list()
    assert labels == ["A 農業、林業", "E 製造業", "—"]
    for stage in ("直接効果", "総合効果"):
        by_major = jobs.by_major.filter(pl.col("段階") == stage)[PERSONS].sum()
        by_sector = jobs.by_sector.filter(pl.col("段階") == stage)[PERSONS].sum()
        assert by_major == by_sector


def test_talent_demand_totals_the_projects():
    table = employed()
    projects = [
        DemandScenario("工場", np.array([200.0, 0, 0])),
        DemandScenario("観光", np.array([0, 0, 300.0])),
    ]
    jobs = induced_jobs(
        table, projects, majors=np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]), major_codes=("A", "E")
    )
    demand = talent_demand(jobs)
    total = demand.filter((pl.col("事業") == "計") & (pl.col("段階") == "総合効果"))[PERSONS].sum()
    per_project = demand.filter((pl.col("事業") != "計") & (pl.col("段階") == "総合効果"))[PERSONS].sum()
    assert total == per_project > 0
    assert (demand[PERSONS] != 0).all()


def test_jobs_need_an_employment_row():
    with pytest.raises(IOTableError, match="従業者数"):
        induced_jobs(toy_national(), [DemandScenario("A", np.ones(3))])


def test_regional_table_jobs_by_major(national37, census):
    from chiiki.io.regional import census_basis, regionalize, resolve_region
    from chiiki.io.templates import NewPlant

    region = resolve_region("45")
    rt = regionalize(national37, census_basis(census, [region]), region)
    jobs = induced_jobs(
        rt.table,
        [NewPlant("工場", "32", 5000.0, employment=200)],
        majors=rt.majors,
        major_codes=rt.major_codes,
    )
    direct = jobs.by_major.filter(pl.col("段階") == "直接効果")
    assert direct.filter(pl.col("産業大分類") == "E 製造業")[PERSONS].item() == 200  # the plant's own staff
