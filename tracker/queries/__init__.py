"""Reads: what the dashboards, lists, exports and digests show. Nothing here changes data."""
