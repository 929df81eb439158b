"""Scheme files, one per version, named <id>-v<version>.toml (see docs/innovation-index.md)."""
