"""Docs are tested: every command has help text and is mentioned in the README or docs/."""

from __future__ import annotations

from pathlib import Path

import typer

from chiiki.cli.lazy import LazyCommand, load_command
from chiiki.cli.main import app

REPO = Path(__file__).resolve().parents[1]


def _leaf_commands(group, prefix: str = "") -> list[tuple[str, object]]:  # noqa: ANN001 - a click group
    out = []
    for name in group.list_commands(None):
        cmd = group.get_command(None, name)
        if isinstance(cmd, LazyCommand):  # the top level lists its commands without importing them
            cmd = load_command(name, cmd.entry)
        full = f"{prefix} {name}".strip()
        if hasattr(cmd, "commands"):
            out += _leaf_commands(cmd, full)
        else:
            out.append((full, cmd))
    return out


def test_every_command_has_japanese_help_and_is_documented():
    root = typer.main.get_command(app)
    docs = (REPO / "README.md").read_text("utf-8") + "".join(
        p.read_text("utf-8") for p in sorted((REPO / "docs").glob("*.md"))
    )
    commands = _leaf_commands(root)
    assert len(commands) >= 8
    for name, cmd in commands:
        assert cmd.help and any(ord(ch) > 0x3000 for ch in cmd.help), f"chiiki {name} has no Japanese help"
        assert f"chiiki {name}" in docs, f"chiiki {name} is not documented in README.md or docs/"
