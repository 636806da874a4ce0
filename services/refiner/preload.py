"""Imported once by the refiner's fork server: workers forked from it start with models loaded."""

from services.refiner import logic

logic.warm()
