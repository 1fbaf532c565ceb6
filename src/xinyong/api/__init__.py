"""The HTTP service: a thin layer of FastAPI routers over the library."""

from xinyong.api.app import create_app

__all__ = ["create_app"]
