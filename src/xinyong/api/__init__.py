"""The HTTP API: an app factory over the application layer, one router per resource."""

from xinyong.api.app import create_api

__all__ = ["create_api"]
