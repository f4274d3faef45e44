"""The layers stay apart: import-linter's contracts (pyproject.toml) hold, and a broken one fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import warroom

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([str(LINT), "--no-cache", str(ROOT / "pyproject.toml")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_import_contract_is_kept():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_domain_importing_textual_breaks_a_contract(tmp_path):
    copy = tmp_path / "warroom"
    shutil.copytree(Path(warroom.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    text = copy / "domain" / "text.py"
    text.write_text(text.read_text() + "\nimport textual  # a widget sneaks into the domain\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "Only the UI imports Textual BROKEN" in result.stdout
    assert "warroom.domain.text -> textual" in result.stdout
