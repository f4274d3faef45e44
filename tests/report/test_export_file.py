"""``warroom export -o`` writes the whole file or nothing, 0600, and says which file failed.

Through the installed console script; the full disk is a real 64 KiB tmpfs (root only: CI runs as
root; the test is skipped only where mounting is impossible).
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_output_directory_gets_the_default_name_0600(wr, tmp_path):
    incident_id = wr("declare", "Checkout 500s").stdout.strip()
    out = tmp_path / "exports"
    out.mkdir()
    proc = wr("export", "-o", str(out))
    written = sorted(out.iterdir())
    assert [p.name for p in written] == [p.name for p in written if p.name.startswith(f"incident-{incident_id}-")]
    assert len(written) == 1 and written[0].suffix == ".md"
    assert proc.stderr.strip() == str(written[0])
    assert written[0].read_text().startswith(f"# Incident #{incident_id}: Checkout 500s")
    assert mode(written[0]) == 0o600
    wr("export", "-f", "json", "-o", str(out))
    assert sorted(p.suffix for p in out.iterdir()) == [".json", ".md"]
    assert {mode(p) for p in out.iterdir()} == {0o600}


def test_an_existing_readable_file_is_replaced_private(wr, tmp_path):
    wr("declare", "Checkout 500s")
    target = tmp_path / "pir.md"
    target.write_text("old")
    os.chmod(target, 0o644)
    wr("export", "-o", str(target))
    assert mode(target) == 0o600 and target.read_text().startswith("# Incident")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_missing_directory_names_the_target_not_the_database(wr, tmp_path, db_path):
    wr("declare", "Checkout 500s")
    target = tmp_path / "nope" / "pir.md"
    proc = wr("export", "-o", str(target), ok=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"warroom: error: cannot write {target}: No such file or directory\n"
    assert str(db_path) not in proc.stderr


def test_stale_temporaries_of_a_killed_export_are_cleaned(wr, tmp_path):
    """A SIGKILLed export leaves ``.warroom-export-….tmp``; the next export into that directory
    removes ours older than a minute, and leaves a fresh one (an export still writing) and others."""
    wr("declare", "Checkout 500s")
    stale = tmp_path / ".warroom-export-4242-deadbeef.tmp"
    fresh = tmp_path / ".warroom-export-4243-cafef00d.tmp"
    other = tmp_path / ".pir.md.tmp-4242"
    for p in (stale, fresh, other):
        p.write_text("")
    two_minutes_ago = time.time() - 120
    os.utime(stale, (two_minutes_ago, two_minutes_ago))
    os.utime(other, (two_minutes_ago, two_minutes_ago))
    wr("export", "-o", str(tmp_path / "pir.md"))
    assert not stale.exists() and fresh.exists() and other.exists()


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs: writing more fails with ENOSPC, for real."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mnt)],
                              capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("no mount command")
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (not root?): {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True, timeout=30)


def test_disk_full_leaves_nothing_and_names_the_target(wr, tiny_fs, db_path):
    wr("declare", "Checkout 500s")
    for n in range(4):
        wr("log", f"{n}: " + "log line that fills the disk " * 700)  # ~20 KiB each
    target = tiny_fs / "pir.md"
    target.write_text("the previous export")
    proc = wr("export", "-o", str(target), ok=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"warroom: error: cannot write {target}: No space left on device\n"
    assert str(db_path) not in proc.stderr
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["pir.md"]  # no temporary left, not even empty
    assert target.read_text() == "the previous export"  # and the old file is whole
    # into the directory: the same
    proc = wr("export", "-o", str(tiny_fs), ok=False)
    assert proc.stderr.startswith(f"warroom: error: cannot write {tiny_fs}/incident-")
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["pir.md"]
