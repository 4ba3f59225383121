"""Load and latency harness: `python -m bench.<name>` from the repository root (see README.md)."""
