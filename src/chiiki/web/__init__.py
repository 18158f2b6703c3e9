"""The web pages: server-rendered Japanese pages, templates, static assets and charts (a thin
shell over :mod:`chiiki.services`; the app itself is composed in :mod:`chiiki.server`)."""
