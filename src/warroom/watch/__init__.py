"""``warroom watch``: one headless process reads the sources for a team, and every screen follows it.

No Textual here (import-linter keeps it so): the watcher polls Prometheus and the probes and
watches the clusters once, turns each answer into the pane's view, the automatic entries and the
recorded readings with the very functions the screen's own feeds use (``room.live``, ``domain``),
writes them to the store within a quarter of a second, and beats a heartbeat there. Screens whose
incident it feeds draw their panes from those readings (``ui/feeds/follow.py``).

``watcher``: the main loop; ``window``: the rolling pre-incident window; ``sources``: the
configured sources, built as the screen builds them.
"""
