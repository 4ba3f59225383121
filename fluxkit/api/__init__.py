"""HTTP front door: JSON routes under /api and the ASGI gates around the whole app."""
