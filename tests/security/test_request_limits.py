"""Server-side limits on a running gateway: a request body over 8 MB and an upload over 1 MB
get 413 however they are sent; a URL over 2,048 characters is refused; no error body quotes
more than 1 KB of the input it refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from services.gateway.limits import MAX_BODY_BYTES
from shared.settings import Settings
from tests.gateway.process import gateway_process

MB = 2**20


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, redis_process: object
) -> Iterator[tuple[str, str]]:
    """A gateway process and the id of a project on it."""
    folder = tmp_path_factory.mktemp("gateway")
    settings = Settings(redis_url=redis_process.url, data_dir=folder / "data")  # type: ignore[attr-defined]
    with gateway_process(settings, folder) as (url, _):
        project = httpx.post(f"{url}/api/projects", json={"name": "limits"}).json()["id"]
        yield url, project


def chunks(total: int, head: bytes = b"", tail: bytes = b"") -> Iterator[bytes]:
    """A body without Content-Length (chunked), as a client that hides its size sends it."""
    yield head
    for _ in range(total // (MB // 4)):
        yield b"https://example.org/a\n" * (MB // 4 // 22)
    yield tail


def multipart(total: int) -> Iterator[bytes]:
    """A URL file of `total` bytes as a form posts it, sent without its size."""
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="urls.txt"\r\n\r\n'
    return chunks(total, head, b"\r\n--x--\r\n")


def test_a_body_over_8_mb_is_refused_with_413_declared_or_chunked(
    gateway: tuple[str, str],
) -> None:
    url, project = gateway
    jobs = f"{url}/api/projects/{project}/jobs"
    big = b'{"urls": ["' + b"a" * (MAX_BODY_BYTES + 1) + b'"]}'
    assert httpx.post(jobs, content=big).status_code == 413
    assert httpx.post(jobs, content=chunks(9 * MB)).status_code == 413
    assert httpx.get(f"{url}/health").status_code == 200


def test_a_url_over_2048_characters_is_refused_and_not_quoted_back(
    gateway: tuple[str, str],
) -> None:
    url, project = gateway
    long = "https://example.org/" + "a" * 400_000
    response = httpx.post(f"{url}/api/projects/{project}/jobs", json={"urls": [long]})
    assert response.status_code == 422
    assert "at most 2048 characters" in response.text
    assert len(response.content) < 2048, "the body quotes at most 1 KB of the input"
    edge = "https://example.org/" + "a" * (2048 - 20)
    # The first job waits for the price map to load (seconds) before it is admitted.
    accepted = httpx.post(f"{url}/api/projects/{project}/jobs", json={"urls": [edge]}, timeout=60)
    assert accepted.status_code == 202


def test_an_error_body_never_quotes_more_than_1_kb_of_the_input(gateway: tuple[str, str]) -> None:
    url, project = gateway
    jobs = f"{url}/api/projects/{project}/jobs"
    many = {"urls": ["ftp://x/" + "b" * 1500] * 5000}  # every one rejected, each with a reason
    wrong_types = {"urls": [{"k" * 300: "v" * 300}] * 200, "config": {"x" * 5000: 1}}
    for body in (many, wrong_types):
        response = httpx.post(jobs, json=body)
        assert response.status_code == 422
        quoted = re.findall(r"b{50,}|k{50,}|v{50,}|x{50,}", response.text)
        assert sum(map(len, quoted)) <= 1024, response.text[:300]
        assert len(response.content) < 8 * 1024


def test_the_new_job_upload_takes_1_mb_at_most_on_the_server(gateway: tuple[str, str]) -> None:
    url, project = gateway
    with httpx.Client(base_url=url) as browser:
        page = browser.get(f"/projects/{project}/new-job", headers={"Accept": "text/html"})
        target = re.search(r"/_nicegui/client/[^/\"']+/upload/[^/\"']+", page.text)
        assert target, "the page has its upload element"
        big = {"file": ("urls.txt", b"https://example.org/a\n" * 60_000)}  # 1.3 MB
        assert browser.post(target.group(0), files=big).status_code == 413
        hidden = {"content-type": "multipart/form-data; boundary=x"}
        chunked = browser.post(target.group(0), content=multipart(2 * MB), headers=hidden)
        assert chunked.status_code == 413
        small = {"file": ("urls.txt", b"https://example.org/a\n" * 100)}
        assert browser.post(target.group(0), files=small).status_code == 200
