"""Code every service imports: the event contract, settings and the stream runtime."""
