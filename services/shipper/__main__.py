"""`python -m services.shipper` runs one shipper replica."""

from shared.runtime.entrypoint import run_stage

run_stage("services.shipper.app")
