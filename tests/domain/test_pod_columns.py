"""Pod columns in a narrow pane: READY/STATUS/RESTARTS whole, NAME cut in the middle first."""

from __future__ import annotations

from warroom.domain.pod_columns import NAME_MIN, fit_widths, middle_cut, row_width

LABELS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE")
# shop  checkout-6887660f9f-3255c  0/1  CrashLoopBackOff  7 (3m45s ago)  15m  node-a-1
NATURAL = [9, 25, 5, 16, 13, 3, 8]


def shown(widths):
    return {label: w for label, w in zip(LABELS, widths) if w}


def test_everything_shown_when_it_fits():
    assert fit_widths(LABELS, NATURAL, row_width(NATURAL)) == NATURAL


def test_name_gives_way_first_then_node_age_namespace():
    full = row_width(NATURAL)
    assert shown(fit_widths(LABELS, NATURAL, full - 5)) == {**shown(NATURAL), "NAME": 20}
    assert "NODE" not in shown(fit_widths(LABELS, NATURAL, full - 6))
    at_80 = shown(fit_widths(LABELS, NATURAL, 75))
    assert set(at_80) == {"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"} and at_80["NAME"] == 23
    at_120 = shown(fit_widths(LABELS, NATURAL, 50))
    assert at_120 == {"NAME": 12, "READY": 5, "STATUS": 16, "RESTARTS": 13}


def test_status_ready_restarts_are_never_cut():
    for width in range(1, 120):
        widths = shown(fit_widths(LABELS, NATURAL, width))
        assert (widths["READY"], widths["STATUS"], widths["RESTARTS"]) == (5, 16, 13), width
        assert widths["NAME"] >= NAME_MIN


def test_a_column_left_out_gives_its_room_back_to_name():
    widths = shown(fit_widths(LABELS, [9, 40, 5, 16, 13, 3, 30], 100))
    assert "NODE" not in widths and widths["NAME"] == 40 and row_width(list(widths.values())) <= 100


def test_middle_cut_keeps_the_pod_s_own_suffix():
    assert middle_cut("checkout-7d9f6c5b4-x2x4q", 20) == "checkout-7d9f…-x2x4q"
    assert middle_cut("checkout-6887660f9f-3255c", 13) == "checko…-3255c"
    assert middle_cut("checkout-6887660f9f-3255c", 12) == "check…-3255c"
    assert middle_cut("checkout-6887660f9f-3255c", 11) == "check…3255c"
    assert middle_cut("db-0", 10) == "db-0"
    assert middle_cut("averyveryverylongnamewithoutdashes", 9) == "aver…shes"
    assert len(middle_cut("checkout-6887660f9f-3255c", 10)) == 10
