"""The one error type of the input–output engine (SPEC §5).

Every message is Japanese and says what is wrong, where, and what to do; the CLI prints it without a
traceback.
"""

from __future__ import annotations


class IOTableError(ValueError):
    """An input–output table or a demand scenario cannot be used as given.

    ``problems`` holds one Japanese line per problem (every sector off balance, every unknown label …),
    so a caller can list them all at once; ``str(error)`` is the headline followed by those lines.
    """

    def __init__(self, headline: str, problems: list[str] | tuple[str, ...] = ()) -> None:
        self.headline = headline
        self.problems = tuple(problems)
        lines = [headline, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))
