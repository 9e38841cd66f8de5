"""Connectors: bring customer feedback from every channel into Kafka."""
