"""The war room's dialog-driven actions, one module per family, out of the App class.

Each flow is a function of the app: it asks (a picker, a prompt), then queues the writes on the
session. Flows that wait on a dialog run as workers the App starts (``App.run_worker``).
"""
