"""KPIs typed by the planner on the plan page (SPEC §6.3; issue #7 §2): a municipality's C plan has
no priority firms to compute baselines from, so its targets are entered by hand, and they satisfy
the C requirements; a stale form is refused, nothing is overwritten."""

from __future__ import annotations

import re

from web_helpers import csrf_of


def _c_plan(login):
    c = login("koriyama")
    r = c.post(
        "/plans/new",
        data={"csrf_token": csrf_of(c.get("/plans/new").text), "plan_type": "C", "title": "郡山 手入力KPI",
              "period_start": "2026", "period_end": "2028", "local_resources": ["農林水産・食品"]},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    return c, int(re.search(r"ID (\d+)", r.text).group(1))


def _set(c, plan_id: int, code: str, **fields) -> object:
    page = c.get(f"/plans/{plan_id}").text
    form = page.split(f'id="kpi-manual-{code}"')[1].split("</form>")[0]
    data = {"csrf_token": csrf_of(page)}
    version = re.search(r'name="version" value="(\d+)"', form)
    if version:
        data["version"] = version.group(1)
    data.update(fields)
    return c.post(f"/plans/{plan_id}/kpis/{code}/manual", data=data)


def test_municipal_planner_sets_c_plan_kpis_by_hand_and_meets_the_target_requirement(login):
    c, plan_id = _c_plan(login)
    for code, base, end in (("regional_transactions", "100000", "106000"), ("sales", "500000", "560000"),
                            ("employees", "40", "41"), ("payroll", "120000", "130000")):  # fmt: skip
        r = _set(c, plan_id, code, baseline_year="2025", baseline=base, target_2026="", target_2028=end)
        assert r.status_code == 200 and "保存しました" in r.text
    page = c.get(f"/plans/{plan_id}").text
    kpi = page.split('id="kpi-sales"')[1].split("</table>")[0]
    assert "500,000" in kpi and "560,000" in kpi and "計画担当者が入力" in kpi
    reqs = page.split('id="requirements-table"')[1].split("</table>")[0]
    row = reqs.split("C_TARGETS")[1].split("</tr>")[0]
    assert "充足" in row
    manual = page.split('id="kpi-manual-sales"')[1].split("</form>")[0]
    assert 'name="target_2028" inputmode="decimal" size="10" value="560000"' in manual


def test_stale_kpi_form_is_refused_and_the_saved_targets_stay(login):
    c, plan_id = _c_plan(login)
    _set(c, plan_id, "sales", baseline_year="2025", baseline="1000", target_2028="1100")
    stale = c.get(f"/plans/{plan_id}").text
    _set(c, plan_id, "sales", baseline_year="2025", baseline="1000", target_2028="1200")
    form = stale.split('id="kpi-manual-sales"')[1].split("</form>")[0]
    old_version = re.search(r'name="version" value="(\d+)"', form).group(1)
    r = c.post(
        f"/plans/{plan_id}/kpis/sales/manual",
        data={"csrf_token": csrf_of(stale), "version": old_version, "baseline": "1000", "target_2028": "999"},
    )
    assert "上書きはしていません" in r.text
    kpi = c.get(f"/plans/{plan_id}").text.split('id="kpi-sales"')[1].split("</table>")[0]
    assert "1,200" in kpi and "999" not in kpi


def test_target_outside_the_period_or_not_a_number_is_refused(login):
    c, plan_id = _c_plan(login)
    r = _set(c, plan_id, "sales", baseline="abc")
    assert "数値ではありません" in r.text
    assert 'id="kpi-sales"' not in c.get(f"/plans/{plan_id}").text
