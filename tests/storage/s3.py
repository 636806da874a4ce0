"""A real S3 API on 127.0.0.1 (moto's server mode) and settings that store blobs in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from shared.settings import Settings

ACCESS = {"s3_access_key_id": "testing", "s3_region": "us-east-1"}


@contextmanager
def s3_server() -> Iterator[str]:
    """The endpoint URL of an S3 API server in a thread of this process."""
    from moto.server import ThreadedMotoServer  # imported by the tests that use it only

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def on_s3(settings: Settings, endpoint: str) -> Settings:
    """`settings` storing blobs under a prefix of a new bucket of the server at `endpoint`."""
    bucket = f"df-{uuid.uuid4().hex[:12]}"
    httpx.put(f"{endpoint}/{bucket}").raise_for_status()  # moto takes unsigned requests
    update = {
        "storage": f"s3://{bucket}/blobs",
        "s3_endpoint_url": endpoint,
        "s3_secret_access_key": "testing",
        **ACCESS,
    }
    return Settings.model_validate({**settings.model_dump(), **update})
