"""REST API v1, mounted at /api/v1 (spec at /api/v1/openapi.json, docs at /api/v1/docs)."""

from fluxkit.api.v1.app import PREFIX, create_v1

__all__ = ["PREFIX", "create_v1"]
