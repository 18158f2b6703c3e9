"""The web application and its building blocks (issue #7): ``create_app(settings)``."""

from chiiki.web.app import create_app

__all__ = ["create_app"]
