"""Scenario templates (issue 14 item 4): what each turns its inputs into."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose
from regional_data import toy_national

from chiiki.io import IOTableError, ripple_stages
from chiiki.io.jobs import with_employment
from chiiki.io.regional import sector_codes
from chiiki.io.templates import (
    Construction,
    Equipment,
    Exports,
    NewPlant,
    SectorDemand,
    Tourism,
    read_splits,
    scenarios_from_spec,
    shipped_splits,
)


@pytest.mark.parametrize("kind", ["construction", "tourism", "event", "equipment"])
def test_shipped_splits_add_up_and_name_real_185_sectors(kind, national185):
    frame = shipped_splits(kind)
    assert set(frame["sector_code"]) <= set(sector_codes(national185))
    assert frame["source"].null_count() == 0


def test_construction_goes_to_the_type_of_work_as_local_output(national37, national185):
    built = Construction("道路", {"public_works": 800.0, "housing": 200.0}).build(national185)
    codes = sector_codes(national185)
    assert (
        built.local_output
        and built.demand[codes.index("4131")] == 800.0
        and built.demand[codes.index("4111")] == 200.0
    )
    on37 = Construction("道路", {"public_works": 800.0}).build(national37)
    assert on37.demand[sector_codes(national37).index("41")] == 800.0


def test_tourism_counts_visitors_from_outside_and_converts_yen(national185):
    t = Tourism(
        "祭り", visitors=10_000, per_head={"lodging": 10_000.0, "shopping": 2_000.0}, outside_share=0.6
    )
    built = t.build(national185)
    assert not built.local_output
    # 6,000 visitors × (10,000 + 2,000) 円 = 72 百万円 = 0.072 十億円 (the 185-sector table's unit)
    assert national185.unit == "十億円"
    assert built.demand.sum() == pytest.approx(0.072)
    assert built.demand[sector_codes(national185).index("6711")] == pytest.approx(0.060)
    everyone = Tourism(
        "祭り", 10_000, {"lodging": 10_000.0}, outside_share=0.6, include_residents=True
    ).build(national185)
    assert everyone.demand.sum() == pytest.approx(0.100)


def test_event_adds_organiser_costs(national185):
    built = Tourism("大会", 0, {}, organiser={"advertising": 5.0, "venue": 10.0}).build(national185)
    codes = sector_codes(national185)
    assert built.demand.sum() == pytest.approx(15.0)  # organiser costs are in the table's unit
    assert [built.demand[codes.index(c)] for c in ("6621", "6699", "6611")] == pytest.approx([5.0, 6.0, 4.0])


def test_new_plant_is_a_sector_of_its_own_with_its_purchases():
    base = with_employment(toy_national(), np.array([10.0, 20.0, 5.0]))
    plant = NewPlant(
        "新工場", "02", output=50.0, employment=30, payroll=10.0, purchases={"01": 15.0, "03": 5.0}
    )
    built = plant.build(base)
    t = built.table
    assert t.n == 4 and built.local_output and built.demand[-1] == 50.0
    assert_allclose(t.A[:3, :3], base.A)  # the rest of the economy is measured as before
    assert_allclose(t.m[:3], base.m)
    assert_allclose(t.A[:3, 3], [15 / 50, 0.0, 5 / 50])
    stages = ripple_stages(t, built.demand, c=0.0)
    first_round = base.B @ ((1 - base.m) * np.array([15.0, 0.0, 5.0]))  # B·(I − M̂)·purchases
    assert_allclose(stages.first_round[:3, 0], first_round)
    assert stages.direct[3, 0] == 50.0 and t.e[3] == pytest.approx(30 / 50)
    assert list(built.base_sector) == [0, 1, 2, 1]


def test_new_plant_defaults_to_its_sector_coefficients():
    base = toy_national()
    t = NewPlant("新工場", "02", output=40.0).build(base).table
    assert_allclose(t.A[:3, 3], base.A[:, 1])
    assert t.w[3] == pytest.approx(base.w[1])


def test_new_plant_purchases_above_output_are_refused():
    with pytest.raises(IOTableError, match="超えています"):
        NewPlant("新工場", "02", output=10.0, purchases={"01": 30.0}).build(toy_national())


def test_equipment_spreads_assets_with_margins(national185):
    built = Equipment("設備", {"machinery": 100.0, "software": 20.0}).build(national185)
    codes = sector_codes(national185)
    assert built.demand.sum() == pytest.approx(120.0)
    assert built.demand[codes.index("5111")] == pytest.approx(15.0)
    assert built.demand[codes.index("5931")] == pytest.approx(20.0)


def test_exports_and_direct_demand_by_sector_code(national37):
    exports = Exports("輸出", {"11": 30.0, "1114": 20.0}).build(national37)  # a 185 code lands on 11 too
    assert exports.local_output and exports.demand[sector_codes(national37).index("11")] == pytest.approx(
        50.0
    )
    direct = SectorDemand("直接", {"51": 10.0}).build(national37)
    assert not direct.local_output and direct.demand.sum() == 10.0


def test_unknown_item_and_negative_amount_are_japanese_errors(national37):
    with pytest.raises(IOTableError, match="項目「tunnel」はありません"):
        Construction("x", {"tunnel": 1.0}).build(national37)
    with pytest.raises(IOTableError, match="0以上"):
        Construction("x", {"housing": -1.0}).build(national37)


def test_spec_builds_templates_and_lists_every_problem():
    spec = [
        {"name": "道路", "template": "construction", "amounts": {"public_works": 100}},
        {"name": "工場", "template": "plant", "sector": "32", "output": 500},
    ]
    assert [type(s).__name__ for s in scenarios_from_spec(spec)] == ["Construction", "NewPlant"]
    bad = [
        {"template": "bridge"},
        {"name": "x", "template": "plant"},
        {"name": "y", "template": "exports", "amount": 1},
    ]
    with pytest.raises(IOTableError) as info:
        scenarios_from_spec(bad)
    assert len(info.value.problems) == 3 and "bridge" in info.value.problems[0]
    assert "sector" in info.value.problems[1] and "amount" in info.value.problems[2]


def test_edited_splits_must_add_up(tmp_path):
    path = tmp_path / "splits.csv"
    pl.DataFrame(
        {"item": ["a", "a"], "label": ["A", "A"], "sector_code": ["41", "51"], "share": [0.5, 0.4]}
    ).write_csv(path)
    with pytest.raises(IOTableError, match="合計が1"):
        read_splits(str(path), kind="construction")
