"""One-shot commands start fast: what ``warroom log`` imports, and the parser it builds.

A command typed in a second terminal mid-incident should cost little more than its insert
(``bench/bench_cli.py``). These tests fail when a heavy import creeps back onto the CLI path: the
module list is the interpreter's own (``-X importtime``) for the real command on a real file.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from warroom.cli.registry import build_parser, named_command

#: Never on a one-shot command's path on SQLite (the TUI's, the sources', the other engine's).
HEAVY = {"asyncio", "aiosqlite", "textual", "rich", "httpx", "kubernetes", "psycopg", "concurrent.futures",
         "yaml", "platformdirs"}
#: Not for ``warroom log`` either: what reading a typed time (tzlocal and its logging) or printing
#: help (shutil, through argparse's terminal width) needs; ``dataclasses`` (it imports inspect, ast,
#: dis…: half again a bare insert process), ``typing``, ``threading`` (the journal's thread), the
#: incident's policy (and zoneinfo), and the other command families and store modules.
NOT_FOR_LOG = HEAVY | {
    "tzlocal", "logging", "shutil", "dataclasses", "inspect", "typing", "threading", "zoneinfo",
    "warroom.domain.policy", "warroom.domain.business_hours", "warroom.domain.backdate",
    "warroom.cli.copying", "warroom.cli.incidents", "warroom.cli.records", "warroom.cli.sources",
    "warroom.cli.launch", "warroom.store.whole", "warroom.store.damage", "warroom.store.interface",
}


def imported(argv: list[str], env: dict[str, str]) -> set[str]:
    """The modules a real ``warroom`` process imported (it must succeed)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_importing_the_cli_loads_nothing_heavy(cli_env) -> None:
    modules = imported(["-c", "import warroom.cli.dispatch"], cli_env)
    assert "warroom.cli.dispatch" in modules
    assert not modules & NOT_FOR_LOG


def test_warroom_log_imports_no_event_loop_no_driver_thread_no_timezone_database(cli_env, wr) -> None:
    wr("declare", "Checkout 500s")
    modules = imported(["-m", "warroom", "log", "rolled", "back"], cli_env)
    assert "warroom.store.oneshot" in modules  # the command did run, on the one-shot engine
    assert not modules & NOT_FOR_LOG, sorted(modules & NOT_FOR_LOG)
    assert "rolled back" in wr("export").stdout


@pytest.mark.parametrize("argv", [
    ["declare", "Checkout 500s", "-s", "SEV-2"], ["list", "--all"], ["ack"], ["status", "identified"],
    ["severity", "SEV-1"], ["assign", "scribe", "ana"], ["export", "--format", "json"], ["export"],
    ["prune", "--older-than", "30d"], ["where"], ["stats"], ["stats", "-f", "csv", "-s", "SEV-2"],
])
def test_every_store_command_runs_without_asyncio(argv, cli_env, wr) -> None:
    wr("declare", "Earlier")
    modules = imported(["-m", "warroom", *argv], cli_env)
    assert not modules & HEAVY, sorted(modules & HEAVY)


@pytest.mark.parametrize("argv", [
    ["log", "hi"], ["--db", "x.db", "log", "-k", "action", "hi"], ["--db=x.db", "--config", "c.toml", "list"],
    ["--db", "log", "declare", "title"],  # a file named like a command
    ["--config=log", "log", "--", "-not-an-option"], ["export", "-f", "json", "-o", "out"],
    ["--d", "declare", "log", "hi"],  # an abbreviation: not certain, so the whole parser decides
    ["metrics", "--json"], ["drill", "--list"], [],
])
def test_the_parser_of_one_command_parses_as_the_whole_parser(argv) -> None:
    assert build_parser(argv).parse_args(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize("argv", [["log"], ["--db", "x", "log", "--kind"], ["lgo", "hi"], ["--db"],
                                  ["status", "-i", "x", "identified"], ["log", "--nope", "hi"]])
def test_the_parser_of_one_command_refuses_as_the_whole_parser(argv, capsys) -> None:
    said = []
    for parser in (build_parser(argv), build_parser()):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        said.append((exit_.value.code, capsys.readouterr()))
    assert said[0] == said[1]
    assert said[0][0] == 1 and said[0][1].err.count("\n") == 1


def test_only_a_certain_command_is_named() -> None:
    assert named_command(["--db", "log", "declare", "x"]).name == "declare"
    assert named_command(["--d", "log", "declare", "x"]) is None  # argparse may read --d as --db
    assert named_command(["-h", "log"]) is None and named_command(["--db", "x"]) is None
    assert named_command(["nope", "log"]) is None
