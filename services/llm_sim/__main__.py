"""`python -m services.llm_sim --port 8100 --latency-ms 200 --rate-429 0.1` serves the simulator."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from services.llm_sim.server import SimConfig, create_app

_FLAGS = {
    "latency_ms": "mean latency of an answer, in milliseconds",
    "jitter_ms": "latency varies uniformly by up to this many milliseconds",
    "rate_429": "share of requests answered 429 with Retry-After",
    "rate_500": "share of requests answered 500",
    "rate_timeout": "share of requests that hang for --timeout-s before answering",
    "rate_malformed": "share of answers that are not the JSON the prompt asked for",
    "timeout_s": "how long a hanging request hangs, in seconds",
    "retry_after_s": "the Retry-After a 429 carries, in seconds",
    "cached_prefix_tokens": "prompt tokens each answer reports as read from a prompt cache",
    "batch_delay_s": "seconds from creating a batch to its completion",
    "batch_failure_rate": "share of a batch's lines that fail with a 500",
    "batch_create_delay_s": "seconds a batch's creation takes to answer, the batch stored first",
}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m services.llm_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--seed", type=int, default=0, help="seed of answers and faults")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--api-key", default=None, help="reject other keys with a 401")
    parser.add_argument(
        "--planted-copies", action="store_true", help="Q&A answers repeat their first pair"
    )
    defaults = SimConfig()
    for name, text in _FLAGS.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=float, default=getattr(defaults, name), help=text)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    flags = {name: getattr(args, name) for name in _FLAGS}
    config = SimConfig(
        seed=args.seed, api_key=args.api_key, planted_copies=args.planted_copies, **flags
    )
    shown = config.model_dump(exclude={"api_key"})
    logging.getLogger("datafactory.llm_sim").info("serving with %s", shown)
    uvicorn.run(
        create_app(config),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        timeout_graceful_shutdown=2,
    )


if __name__ == "__main__":
    main()
