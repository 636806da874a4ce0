"""The read models: tables, projections, the projector that applies the log, rebuild and archive."""
