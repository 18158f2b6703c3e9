"""Plan domain (SPEC §6, issue #6): pure functions for requirements, KPIs, screening, 加点, support
measures and the workflow, over plain data and Polars frames. Persistence is in :mod:`chiiki.store`."""

from chiiki.plans.bonus import Bonus, bonus_frame, bonus_points
from chiiki.plans.kpi import check_target_rules, check_wage_rule, default_targets, kpi_status, plan_baseline
from chiiki.plans.measures import CATALOG, catalog_frame, match_firm, match_plan
from chiiki.plans.requirements import REQUIREMENTS, PlanFacts, check_requirements
from chiiki.plans.rules import PlanRules, get_plan_rules
from chiiki.plans.screening import ScreeningResult, screen
from chiiki.plans.workflow import TRANSITIONS, ActorRef, can_transition

__all__ = [
    "CATALOG",
    "REQUIREMENTS",
    "TRANSITIONS",
    "ActorRef",
    "Bonus",
    "PlanFacts",
    "PlanRules",
    "ScreeningResult",
    "bonus_frame",
    "bonus_points",
    "can_transition",
    "catalog_frame",
    "check_requirements",
    "check_target_rules",
    "check_wage_rule",
    "default_targets",
    "get_plan_rules",
    "kpi_status",
    "match_firm",
    "match_plan",
    "plan_baseline",
    "screen",
]
