"""Connectors: the ``radar ingest <connector>`` commands, one module per connector."""
