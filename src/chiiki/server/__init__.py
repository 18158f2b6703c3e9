"""The composition root: :func:`create_app` builds the FastAPI app from the services, the pages and
the REST API; :mod:`chiiki.server.asgi` is the entry for uvicorn workers."""

from chiiki.server.app import create_app

__all__ = ["create_app"]
