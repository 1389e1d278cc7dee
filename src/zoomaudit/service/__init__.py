"""`zoomaudit serve`: one ASGI app with the nightly scheduler, the Zoom webhook endpoint and the console.

Entry point: ``zoomaudit.service.app.create_service_app``.
"""
