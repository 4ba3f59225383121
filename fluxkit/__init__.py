"""FluxKit: a SaaS starter kit in pure Python."""
