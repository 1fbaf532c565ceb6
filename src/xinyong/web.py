"""The web server's composition: the HTTP API with the portal mounted beside it, both over one
application. The API and the portal never import each other; this module joins them."""

from __future__ import annotations

from fastapi import FastAPI

from xinyong.api import create_api
from xinyong.application import Application
from xinyong.portal import create_portal
from xinyong.settings import Settings
from xinyong.store.database import Database


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    *,
    application: Application | None = None,
) -> FastAPI:
    """The API at its paths and the portal's pages at every path the API does not serve
    (mounted last, so the API wins)."""
    application = application or Application.build(settings, db=db)
    app = create_api(application)
    app.mount("/", create_portal(application), name="portal")
    return app
