"""LLM simulator: an OpenAI-compatible chat server with realistic usage, latency and faults."""
