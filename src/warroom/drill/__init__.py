"""Drills: scripted incidents that drive every pane, for IC training and a first run with nothing configured.

``scenario`` parses the file format; ``script`` evaluates a scenario at an instant (pure);
``cluster`` builds the Kubernetes objects the pod pane reads; ``scoring`` judges the response;
``sources`` are the adapters that stand in for Prometheus, the probes and the Kubernetes watcher.
"""
