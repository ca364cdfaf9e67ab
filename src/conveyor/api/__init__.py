"""The REST API: FastAPI routes that parse, call a service, render."""
