"""`python -m services.refiner` runs one refiner replica."""

from shared.runtime.entrypoint import run_stage

run_stage("services.refiner.app")
