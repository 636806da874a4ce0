"""The stream runtime every stage runs on: the stage spec, dispatch, atomic commits, leases,
dead letters, Redis, and the spending rules calls reserve against."""
