"""API v1: search and suggestions."""
