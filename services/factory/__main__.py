"""`python -m services.factory` runs one factory replica."""

from shared.entrypoint import run_stage

run_stage("services.factory.app")
