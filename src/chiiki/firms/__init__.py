"""Firm analytics (SPEC §3): コネクター度・ハブ度, priority-company scores and selection, amount
estimation, network roles, 域内取引額 and the firm-level supply-chain ripple; 商流圏 (supplier
dependence), 花火図 data and multi-year trends (issue 13).

Pure functions over Polars frames; the CLI (``chiiki firms …``) is a thin shell over them. The names
below are imported from their modules when first used (PEP 562), so that a command needing only the
degrees does not load SciPy's sparse solvers (issue #15 §9).
"""

from importlib import import_module

# The submodule ``connector_hub`` shares its name with its main function: import the function now, or
# the package attribute would be the module once anything imports it (the module is light).
from chiiki.firms.connector_hub import ConnectorHubResult as ConnectorHubResult
from chiiki.firms.connector_hub import connector_hub as connector_hub

_EXPORTS = {
    "dependence": ("DependenceResult", "supplier_dependence"),
    "errors": ("FirmAnalysisError",),
    "estimate": ("EstimateResult", "estimate_amounts"),
    "fireworks": ("Fireworks", "firm_fireworks", "industry_flows", "prefecture_flows"),
    "graph": ("SupplyGraph", "supply_graph"),
    "network": ("LinkReport", "build_network"),
    "regions": ("LEVELS", "assign_regions", "read_region_mapping"),
    "ripple": ("InRegionValue", "RippleResult", "firm_ripple", "in_region_transaction_value"),
    "roles": ("network_roles",),
    "scores": ("DEFAULT_WEIGHTS", "PriorityScores", "priority_scores"),
    "selection": ("select_priority",),
    "trends": ("YearlyIndicators", "firm_trend", "prefecture_trend", "yearly_indicators"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted([*_MODULE_OF, "ConnectorHubResult", "connector_hub"])


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
