"""Settings of the plan rules (SPEC §6.2–6.4): KPI target rules, the wage rule, the investment
threshold of A-plan projects, screening and 加点.

The pure functions take a :class:`PlanRules` (keyword ``rules=``, default ``PlanRules()``); shells
read one from the environment with :func:`get_plan_rules` (``CHIIKI_PLAN_MIN_WAGE_GROWTH=0.06`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TARGET_GROWTH = {
    "regional_transactions": 0.05,
    "sales": 0.10,
    "employees": 0.005,
    "payroll": 0.04,
}
"""SPEC §6.3 (地域経済牽引事業計画 analogue): at least one of 域内取引額 +5 %, 売上 +10 %,
jobs +0.5 %, payroll +4 % over the plan period."""


@dataclass(frozen=True)
class PlanRules:
    """Every tunable number of the plan domain, with the defaults of SPEC §6."""

    target_growth: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TARGET_GROWTH))
    """Minimum growth over the period per KPI code; meeting any one satisfies the target rule."""
    min_wage_growth: float = 0.0508
    """Yearly minimum-wage growth rate the wage rule compares with (default: national weighted mean
    of 最低賃金, 1,004 → 1,055 円 in FY2024, +5.08 %)."""
    min_wage_growth_by_prefecture: dict[str, float] = field(default_factory=dict)
    """Per-prefecture minimum-wage growth rates overriding ``min_wage_growth`` (code → rate)."""
    investment_threshold: int = 2_000_000
    """A-plan 大規模投資 threshold in 千円 (default 20億円, the 大規模成長投資補助金 minimum)."""
    on_track_ratio: float = 0.8
    """KPI status: an actual reaching this share of the planned progress is 順調 (on track)."""
    screening_max_score: int = 2
    """Screening scale per requirement: 0 = 不足, 1 = 一部充足, 2 = 充足."""
    screening_pass_ratio: float = 0.6
    """Screening: share of the maximum total needed for 承認 (with no requirement scored 0)."""
    bonus_priority: int = 2
    """加点 for a 重点支援企業 (selected in the priority-company score)."""
    bonus_degree: int = 1
    """加点 for each of connector / hub degree at or above ``bonus_percentile`` in its prefecture."""
    bonus_percentile: float = 90.0
    bonus_max: int = 3

    def min_wage_growth_for(self, prefecture_code: str | None) -> float:
        return self.min_wage_growth_by_prefecture.get(prefecture_code or "", self.min_wage_growth)


class _PlanRulesEnv(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHIIKI_PLAN_", extra="ignore")

    target_growth: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_TARGET_GROWTH))
    min_wage_growth: float = PlanRules.min_wage_growth
    min_wage_growth_by_prefecture: dict[str, float] = {}
    investment_threshold: int = PlanRules.investment_threshold
    on_track_ratio: float = PlanRules.on_track_ratio
    screening_max_score: int = PlanRules.screening_max_score
    screening_pass_ratio: float = PlanRules.screening_pass_ratio
    bonus_priority: int = PlanRules.bonus_priority
    bonus_degree: int = PlanRules.bonus_degree
    bonus_percentile: float = PlanRules.bonus_percentile
    bonus_max: int = PlanRules.bonus_max


@lru_cache(maxsize=1)
def get_plan_rules() -> PlanRules:
    """Plan rules from ``CHIIKI_PLAN_*`` environment variables (JSON for the dict settings), cached."""
    env = _PlanRulesEnv()
    return PlanRules(**{f.name: getattr(env, f.name) for f in fields(PlanRules)})
