"""`python -m services.factory` runs one factory replica on uvloop."""

import asyncio

import uvloop

from shared.runtime.entrypoint import run_stage

# litellm, redis-py and FastStream spend a few milliseconds of event-loop work per LLM call;
# uvloop takes a tenth off that, and CPU is what bounds a replica at high concurrency.
asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
run_stage("services.factory.app")
