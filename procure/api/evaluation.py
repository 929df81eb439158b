"""API v1: evaluation rounds and the innovation index."""
