"""`python -m services.spider` runs one spider replica."""

from shared.runtime.entrypoint import run_stage

run_stage("services.spider.app")
