"""Refiner: clean text, token chunks, dedup."""
