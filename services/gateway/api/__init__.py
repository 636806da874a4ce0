"""REST and SSE routes, one module per resource, and their bodies."""
