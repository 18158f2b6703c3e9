"""Firm analytics (SPEC §3): コネクター度・ハブ度, priority-company scores and selection, amount
estimation, network roles, 域内取引額 and the firm-level supply-chain ripple; 商流圏 (supplier
dependence), 花火図 data and multi-year trends (issue 13).

Pure functions over Polars frames; the CLI (``chiiki firms …``) is a thin shell over them.
"""

from chiiki.firms.connector_hub import ConnectorHubResult, connector_hub
from chiiki.firms.dependence import DependenceResult, supplier_dependence
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.estimate import EstimateResult, estimate_amounts
from chiiki.firms.fireworks import Fireworks, firm_fireworks, industry_flows, prefecture_flows
from chiiki.firms.graph import SupplyGraph, supply_graph
from chiiki.firms.network import LinkReport, build_network
from chiiki.firms.regions import LEVELS, assign_regions, read_region_mapping
from chiiki.firms.ripple import InRegionValue, RippleResult, firm_ripple, in_region_transaction_value
from chiiki.firms.roles import network_roles
from chiiki.firms.scores import DEFAULT_WEIGHTS, PriorityScores, priority_scores
from chiiki.firms.selection import select_priority
from chiiki.firms.trends import YearlyIndicators, firm_trend, prefecture_trend, yearly_indicators

__all__ = [
    "DEFAULT_WEIGHTS",
    "LEVELS",
    "ConnectorHubResult",
    "DependenceResult",
    "EstimateResult",
    "FirmAnalysisError",
    "Fireworks",
    "InRegionValue",
    "LinkReport",
    "PriorityScores",
    "RippleResult",
    "SupplyGraph",
    "YearlyIndicators",
    "assign_regions",
    "build_network",
    "connector_hub",
    "estimate_amounts",
    "firm_fireworks",
    "firm_ripple",
    "firm_trend",
    "in_region_transaction_value",
    "industry_flows",
    "network_roles",
    "prefecture_flows",
    "prefecture_trend",
    "priority_scores",
    "read_region_mapping",
    "select_priority",
    "supplier_dependence",
    "supply_graph",
    "yearly_indicators",
]
