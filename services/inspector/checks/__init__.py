"""Quality checks: small pure functions over a batch, each a score in [0, 1] per example."""
