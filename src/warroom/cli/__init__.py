"""The ``warroom`` command: the TUI with no sub-command, scriptable sub-commands otherwise.

Sub-commands never import Textual or the Kubernetes client, so they start fast enough to
be typed in a second terminal mid-incident. ``registry`` lists them; one module per family
(``incidents``, ``timeline``, ``records``, ``sources``, ``launch``) runs them; ``output`` prints.
"""

from warroom.cli.dispatch import main

__all__ = ["main"]
