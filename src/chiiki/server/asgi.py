"""ASGI entry for uvicorn workers: ``uvicorn chiiki.server.asgi:app``. Settings come from the environment
when the worker imports this module (the only place an app is built at import time, on purpose)."""

from chiiki.server.app import create_app

app = create_app()
