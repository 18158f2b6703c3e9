"""A command group that imports a command's module only when the command runs (issue #15 §9).

``chiiki --help`` and a quick command import Typer and Rich, not Polars, NumPy or SQLAlchemy: each
entry of the top-level group names its module, the object in it (a Typer sub-app or a command
function) and its one-line help. The listing uses the line; running the command loads it.
tests/test_cli_lazy.py checks that every line matches the command's own help.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyEntry:
    module: str
    attr: str
    help: str


def load_command(name: str, entry: LazyEntry) -> _click.Command:
    """The click command of ``entry``: a Typer sub-app, or a function made a one-command app."""
    obj = getattr(importlib.import_module(entry.module), entry.attr)
    if not isinstance(obj, typer.Typer):
        single = typer.Typer(rich_markup_mode="rich", add_completion=False)
        single.command(name)(obj)
        obj = single
    command = typer.main.get_command(obj)
    command.name = name
    return command


class LazyCommand(TyperCommand):
    """Stands in for a command in the listing; becomes the real one when it runs."""

    def __init__(self, name: str, entry: LazyEntry) -> None:
        super().__init__(name=name, help=entry.help, short_help=entry.help)
        self.entry = entry

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        return load_command(self.name, self.entry).make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """The top-level group: :data:`entries` are listed without being imported."""

    entries: dict[str, LazyEntry] = {}

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.entries]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name in self.entries:
            return LazyCommand(cmd_name, self.entries[cmd_name])
        return super().get_command(ctx, cmd_name)
