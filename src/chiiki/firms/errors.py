"""The one exception of firm analytics: a message in Japanese saying what, where and what to do."""

from __future__ import annotations


class FirmAnalysisError(ValueError):
    """Bad input to a firm analysis (unknown year, region, firm, setting). The message is Japanese and
    is shown to the user as is by the CLI and the web shell."""
