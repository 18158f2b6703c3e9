"""A quick command line (issue #15 §9): the top-level group imports no heavy library, and every
lazily listed command loads."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chiiki.cli.lazy import load_command
from chiiki.cli.main import COMMANDS


def test_listing_the_commands_imports_no_heavy_library():
    code = (
        "import sys; from typer.testing import CliRunner; from chiiki.cli.main import app;"
        "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output;"
        "print(','.join(m for m in ('polars', 'numpy', 'sqlalchemy', 'scipy', 'fastapi') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_listed_command_loads_with_its_help(name):
    entry = COMMANDS[name]
    command = load_command(name, entry)
    assert command.name == name and entry.help and (command.help or command.short_help)


def test_the_firms_commands_load_without_scipy_and_the_package_names_still_resolve():
    """connector-hub, roles and score need no sparse solver (issue #15 §9); the package's names
    (imported when first used) still give the functions, not their modules."""
    code = (
        "import sys, chiiki.cli.firms, chiiki.firms as f\n"
        "print('scipy' in sys.modules, callable(f.connector_hub), callable(f.firm_ripple))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
