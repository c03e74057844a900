"""The HTTP layer: routers, content negotiation and the one place errors become HTTP answers."""
