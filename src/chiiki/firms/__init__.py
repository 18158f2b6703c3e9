"""Firm analytics (SPEC §3): コネクター度・ハブ度, priority-company scores and selection, amount
estimation, network roles, 域内取引額 and the firm-level supply-chain ripple.

Pure functions over Polars frames; the CLI (``chiiki firms …``) is a thin shell over them.
"""

from chiiki.firms.connector_hub import ConnectorHubResult, connector_hub
from chiiki.firms.errors import FirmAnalysisError
from chiiki.firms.estimate import EstimateResult, estimate_amounts
from chiiki.firms.network import LinkReport, build_network
from chiiki.firms.regions import LEVELS, assign_regions, read_region_mapping
from chiiki.firms.ripple import InRegionValue, RippleResult, firm_ripple, in_region_transaction_value
from chiiki.firms.roles import network_roles
from chiiki.firms.scores import DEFAULT_WEIGHTS, PriorityScores, priority_scores
from chiiki.firms.selection import select_priority

__all__ = [
    "DEFAULT_WEIGHTS",
    "LEVELS",
    "ConnectorHubResult",
    "EstimateResult",
    "FirmAnalysisError",
    "InRegionValue",
    "LinkReport",
    "PriorityScores",
    "RippleResult",
    "assign_regions",
    "build_network",
    "connector_hub",
    "estimate_amounts",
    "firm_ripple",
    "in_region_transaction_value",
    "network_roles",
    "priority_scores",
    "read_region_mapping",
    "select_priority",
]
