"""A damaged page mid-file: export says so in one line and how to recover; --salvage gets the readable rows."""

from __future__ import annotations

import subprocess

from fixtures.support import corrupt_mid_file


def warroom(exe, env, *args):
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=120)


def test_export_of_a_damaged_database_is_one_line_with_the_way_to_recover(db_path, warroom_exe, cli_env, tmp_path):
    corrupt_mid_file(db_path)
    done = warroom(warroom_exe, cli_env, "export")
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert f"database {db_path} is damaged: " in done.stderr
    assert "export --salvage" in done.stderr and ".recover" in done.stderr

    out = tmp_path / "salvaged.md"
    done = warroom(warroom_exe, cli_env, "export", "--salvage", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "salvaged" in done.stderr and "could not be read" in done.stderr
    salvaged = out.read_text()
    found = sum(f"entry {n} " in salvaged for n in range(3000))
    assert 2500 < found < 3000  # all but those on the damaged pages
    assert "Checkout 500s" in salvaged

    assert warroom(warroom_exe, cli_env, "list").returncode == 0  # what does not reach the page still works
