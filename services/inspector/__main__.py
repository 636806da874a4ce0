"""`python -m services.inspector` runs one inspector replica."""

from shared.runtime.entrypoint import run_stage

run_stage("services.inspector.app")
