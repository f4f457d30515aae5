"""Issue 20 point 4: options explain themselves, and a factory's errors are one line in run and in sweep."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from zswaplab.cli.app import main
from zswaplab.plugins import reset_plugin_host

PICKY = """
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.errors import OptionError
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec


def picky(slots, mode):
    if mode == "tight" and slots > 2:
        raise OptionError(f"picky: mode=tight takes at most 2 slots, not {slots}")
    if slots == 3:
        raise ValueError("three is unlucky")
    return IdealAllocator()


@hookimpl
def zswaplab_allocators():
    return [PartSpec("picky", picky, "refuses some option combinations", (
        OptionSpec("slots", int, 1, "objects per page", minimum=1, maximum=8),
        OptionSpec("mode", str, "loose", "packing mode", choices=("loose", "tight"))))]
"""


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def picky(fake_distribution) -> None:  # type: ignore[no-untyped-def]
    fake_distribution("zswaplab-picky", "zswaplab_picky", PICKY, "1.2")


def test_plugins_json_carries_each_options_type_default_range_choices_and_help(capsys, picky) -> None:
    code, out, _ = cli(capsys, "plugins", "--json")
    part = next(p for p in json.loads(out)["parts"] if p["name"] == "picky")
    assert code == 0 and part["distribution"] == "zswaplab-picky" and part["version"] == "1.2"
    assert part["options"] == [
        {
            "name": "slots",
            "type": "int",
            "default": 1,
            "minimum": 1,
            "maximum": 8,
            "choices": None,
            "help": "objects per page",
        },
        {
            "name": "mode",
            "type": "str",
            "default": "loose",
            "minimum": None,
            "maximum": None,
            "choices": ["loose", "tight"],
            "help": "packing mode",
        },
    ]


def test_plugins_name_prints_the_option_table(capsys, picky) -> None:
    code, out, _ = cli(capsys, "plugins", "picky")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "allocator picky — refuses some option combinations"
    assert "from plugin zswaplab_picky, zswaplab-picky 1.2" in lines[1]
    assert lines[3].split() == ["option", "type", "default", "allowed", "help"]
    assert lines[5].split() == ["slots", "int", "1", "1..8", "objects", "per", "page"]
    assert lines[6].split() == ["mode", "str", "'loose'", "loose|tight", "packing", "mode"]
    code, _, err = cli(capsys, "plugins", "no-such-thing")
    assert code == 2 and err.startswith("zswaplab: error: unknown part, plugin or distribution 'no-such-thing'")


def test_every_bundled_option_has_help(capsys) -> None:
    code, out, _ = cli(capsys, "plugins", "--json")
    undocumented = [(p["name"], o["name"]) for p in json.loads(out)["parts"] for o in p["options"] if not o["help"]]
    assert code == 0 and undocumented == []


@pytest.mark.parametrize(
    "option,message",
    [
        ("slots=4,mode=tight", "picky: mode=tight takes at most 2 slots, not 4"),
        (
            "slots=3",
            "allocator 'picky' (plugin zswaplab_picky, zswaplab-picky 1.2) failed to construct: "
            "ValueError: three is unlucky",
        ),
    ],
)
def test_factory_errors_are_one_line_in_run_and_in_sweep(
    capsys, picky, tmp_path: Path, option: str, message: str
) -> None:
    code, _, err = cli(capsys, "run", "--allocator", f"picky:{option}", "--pages", "8")
    assert code == 2 and err == f"zswaplab: error: {message}\n"
    db = tmp_path / "r.db"
    sweep = ["sweep", "--db", str(db), "--executor", "serial", "--no-progress", "--set", "pages=8"]
    assert cli(capsys, *sweep, "--set", "allocator=ideal")[0] == 0
    code, _, err = cli(capsys, *sweep, "--set", f"allocator=ideal,picky:{option}")
    assert code == 2 and err == f"zswaplab: error: {message}\n"
    with sqlite3.connect(db) as con:  # the grid is refused before any work: the database is as it was
        assert con.execute("select count(*), min(status) from cells").fetchone() == (1, "done")


@pytest.fixture(autouse=True)
def _fresh_host():  # type: ignore[no-untyped-def]
    reset_plugin_host()
    yield
    reset_plugin_host()
