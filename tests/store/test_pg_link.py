"""A cut network link must not hang a PostgreSQL write for ever (quitting waits for the write under
way): every connection warroom opens bounds unanswered data and probes an idle peer."""

from __future__ import annotations

import psycopg

from warroom.store.postgres import connect_options


def test_libpq_takes_the_dead_link_timeouts(pg_url):
    with psycopg.connect(pg_url, **connect_options(pg_url)) as con:
        given = con.info.get_parameters()
    assert given["tcp_user_timeout"] == "5000" and given["keepalives_idle"] == "5"
    assert given["connect_timeout"] == "10"


def test_the_url_has_the_last_word():
    options = connect_options("postgresql://u@h/d?tcp_user_timeout=3000&connect_timeout=2")
    assert "tcp_user_timeout" not in options and "connect_timeout" not in options
    assert options["keepalives"] == 1
