"""`python -m services.inspector` runs one inspector replica."""

from shared.entrypoint import run_stage

run_stage("services.inspector.app")
