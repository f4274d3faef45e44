"""``warroom serve``: the war room in a browser (textual-serve, one app process per visitor) and
the stakeholder page ``/status``, behind an access token. aiohttp, never Textual, in this process."""
