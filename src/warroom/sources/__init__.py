"""Adapters to the outside world (Prometheus…): blocking calls meant for worker threads, never the UI thread."""
