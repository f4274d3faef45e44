"""``warroom export -o FILE.md --charts svg|png``: each recorded panel's chart around the incident beside
the review, linked from it, with the incident's moments; owner-readable only; clear one-line refusals."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET

from drill.test_replay import record_bad_deploy

PANELS = ("checkout-error-ratio", "checkout-p95-latency", "orders-per-second")


async def test_svg_charts_beside_the_review_linked_with_the_markers(db_path, tmp_path, wr):
    incident_id = await record_bad_deploy(db_path, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    wr("export", "-i", str(incident_id), "-o", str(out / "review.md"), "--charts", "svg")
    review = (out / "review.md").read_text()
    assert "## Charts" in review
    for name in PANELS:
        path = out / f"review-{name}.svg"
        assert f"]({path.name})" in review
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # incident data: its owner's only
        svg = path.read_text()
        ET.fromstring(svg)  # well-formed
        for words in ("detected", "declared", "acknowledged", "decision", "rollout", "baseline (recorded)", "now"):
            assert words in svg, (name, words)
    assert "![Checkout error ratio](review-checkout-error-ratio.svg)" in review
    assert "Markers: 1 rollout" in review and "decision" in review.split("Markers:")[1]
    # the same export again writes the same pictures (no dates, no random ids in them)
    first = (out / f"review-{PANELS[0]}.svg").read_bytes()
    wr("export", "-i", str(incident_id), "-o", str(out / "review.md"), "--charts", "svg")
    assert (out / f"review-{PANELS[0]}.svg").read_bytes() == first


async def test_png_charts_and_the_refusals_are_one_line(db_path, tmp_path, wr, cli_env):
    incident_id = await record_bad_deploy(db_path, tmp_path)
    wr("export", "-i", str(incident_id), "-o", str(tmp_path), "--charts", "png")
    pngs = sorted(tmp_path.glob("drill-*-checkout-error-ratio.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    proc = wr("export", "-i", str(incident_id), "--charts", "svg", ok=False)
    assert proc.returncode != 0 and proc.stderr.strip().count("\n") == 0 and "give -o FILE.md" in proc.stderr
    proc = wr("export", "-i", str(incident_id), "-o", str(tmp_path / "x.json"), "-f", "json", "--charts", "svg",
              ok=False)
    assert proc.returncode != 0 and "not --format json" in proc.stderr and "Traceback" not in proc.stderr
    # without matplotlib (an install without the [charts] extra): one line saying how to get it
    missing = ("import sys; sys.modules['matplotlib'] = None; sys.argv[0] = 'warroom'; "
               "from warroom.cli import main; sys.exit(main())")
    proc = subprocess.run([sys.executable, "-c", missing, "export", "-i", str(incident_id), "-o",
                           str(tmp_path / "y.md"), "--charts", "svg"],
                          env=cli_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "pip install 'warroom[charts]'" in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert not (tmp_path / "y.md").exists()


def test_a_hostile_title_and_unit_make_a_well_formed_chart_shown_literally():
    """A title or a unit with escapes, markup, ``$…$`` (matplotlib's mathtext) or ``<``: the SVG is
    well-formed, holds no control character, and shows the text as it is."""
    from datetime import datetime, timedelta, timezone

    from warroom.chart_export import render
    from warroom.domain.chart_lines import ChartLine
    from warroom.domain.chart_window import Window

    window = Window(datetime(2026, 11, 23, 11, tzinfo=timezone.utc), timedelta(hours=1))
    svg = render("\x1b[2J$x^2$ <b>pwn</b>", "\x1b[31mevil/s",
                 [ChartLine("current", "now", (0.0, 3600.0), (1.0, 2.0))], [], window, "svg").decode()
    ET.fromstring(svg)
    assert "\x1b" not in svg and "$x^2$ &lt;b&gt;pwn&lt;/b&gt;" in svg and "␛[31mevil/s" in svg
