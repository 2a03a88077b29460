"""The HTTP edge of the app: ASGI middleware every request passes before any route."""
