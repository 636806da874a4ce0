"""The gateway: projects the event log into SQLite read models and serves REST, SSE and UI."""
