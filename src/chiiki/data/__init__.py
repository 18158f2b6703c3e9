"""Firm-data contract, readers, validation, versioned import and the synthetic economy (SPEC §2)."""

from chiiki.data.contract import COMPANIES, TRANSACTIONS, Dataset
from chiiki.data.loading import read_dataset

__all__ = ["COMPANIES", "TRANSACTIONS", "Dataset", "read_dataset"]
