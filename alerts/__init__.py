"""Alerts: turn signals into incidents that reach on-call staff with evidence."""
