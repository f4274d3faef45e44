"""The functional core: incidents, policies, SLA clock, timeline and report.

Nothing in this package performs I/O or imports Textual; every function that depends on
the current time takes ``now`` as an argument, so the whole core is testable without a
terminal, a database or a clock.
"""
