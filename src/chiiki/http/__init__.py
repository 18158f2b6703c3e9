"""FastAPI glue shared by the pages and the REST API: request dependencies (who the user is, a
database session per request), error responses and security headers."""
