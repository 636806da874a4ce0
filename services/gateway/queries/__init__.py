"""Read-model queries: what the API and the dashboard show."""
