"""`datafactory` in scripts: paths printed whole at any terminal width, `--json` documents on
stdout, `--quiet`, no escape codes where stdout is not a terminal, and exit codes that say
why. Against a real stack whose data directory's path is 150 characters long."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from pathlib import Path
from threading import Thread

import pytest

from services.cli.stack import Stack
from shared.runtime.redis_server import free_port
from shared.settings import Settings
from tests.cli.terminal import cli_env, datafactory

# The CLI runs a sample job in a subprocess: about 25 s locally.
pytestmark = pytest.mark.timeout(180)

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COLOURS = re.compile(r"\x1b\[[0-9;]*m")
SAMPLE_PAGES = 6


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A running stack serving a data directory whose path is 150 characters long."""
    base = str(tmp_path_factory.mktemp("cli"))
    data = Path(base, "d" * (150 - len(base) - 1))
    assert len(str(data)) == 150
    settings = Settings(
        data_dir=data,
        redis_url=None,
        gateway_port=free_port(),
        llm_api_base=None,
        allowed_networks=[ip_network("127.0.0.0/8")],
    )
    stack = Stack(settings).start()
    try:
        yield data
    finally:
        stack.stop()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def missing_pages(tmp_path: Path) -> Iterator[str]:
    """A site on 127.0.0.1 that answers 404 to everything."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def printed_paths(text: str, data_dir: Path) -> list[str]:
    return re.findall(re.escape(str(data_dir)) + r"\S*", ESCAPES.sub("", text))


def test_run_json_in_a_40_column_terminal_prints_paths_that_exist(data_dir: Path) -> None:
    ran = datafactory("run", "--sample", "--json", env=cli_env(data_dir), tty=("stderr",))
    assert ran.code == 0, ran.err
    report = json.loads(ran.out)
    assert report["status"] == "completed" and report["error"] is None
    assert Path(report["dataset"]).is_file() and Path(report["card"]).is_file()
    assert report["dataset"].startswith(str(data_dir))
    assert report["stages"]["spider"]["fetched"] == SAMPLE_PAGES
    assert report["export"]["record_count"] == report["stages"]["inspector"]["passed"] > 0
    assert report["cost_usd"] > 0 and report["job_id"].startswith("job_")
    assert "inspector" in ran.err, "progress goes to stderr"


def test_run_in_a_40_column_terminal_prints_the_dataset_and_card_whole(data_dir: Path) -> None:
    ran = datafactory("run", "--sample", env=cli_env(data_dir), tty=("stdout", "stderr"))
    assert ran.code == 0, ran.out
    paths = printed_paths(ran.out, data_dir)
    assert {Path(p).name for p in paths} == {"dataset.jsonl", "README.md"}, ran.out
    assert all(Path(p).is_file() for p in paths)


def test_quiet_prints_the_dataset_path_alone(data_dir: Path, tmp_path: Path) -> None:
    with (tmp_path / "out").open("wb") as out:
        ran = datafactory("run", "--sample", "-q", env=cli_env(data_dir), stdout=out)
    printed = (tmp_path / "out").read_text()
    assert ran.code == 0 and ran.err == ""
    assert printed.endswith("/dataset.jsonl\n") and Path(printed[:-1]).is_file()


def test_quiet_prints_nothing_on_failure_and_the_exit_code_says_why(
    data_dir: Path, missing_pages: str
) -> None:
    env = cli_env(data_dir)
    failed = datafactory("run", "-q", f"{missing_pages}/gone.html", env=env)
    assert (failed.code, failed.out, failed.err) == (1, "", "")
    no_urls = datafactory("run", "-q", env=env)
    assert (no_urls.code, no_urls.out, no_urls.err) == (2, "", "")
    nobody = f"http://127.0.0.1:{free_port()}"
    elsewhere = datafactory("run", "-q", "--gateway", nobody, f"{missing_pages}/a", env=env)
    assert (elsewhere.code, elsewhere.out) == (3, "")


def test_run_json_reports_a_failed_job_with_its_reason(data_dir: Path, missing_pages: str) -> None:
    ran = datafactory("run", "--json", f"{missing_pages}/gone.html", env=cli_env(data_dir))
    assert ran.code == 1
    report = json.loads(ran.out)
    assert report["status"] == "failed" and report["error"]["reason"] == "no_pages_fetched"
    assert report["stages"]["spider"]["failed"] == 1


def test_no_escape_codes_on_stdout_when_it_is_a_file(data_dir: Path, tmp_path: Path) -> None:
    env = cli_env(data_dir)
    for args in (("run", "--sample"), ("templates", "list"), ("status", "--interval", "0.1")):
        with (tmp_path / "out").open("wb") as out:
            ran = datafactory(*args, env=env, tty=("stderr",), stdout=out)
        printed = (tmp_path / "out").read_text()
        assert ran.code == 0, ran.err
        assert printed and "\x1b" not in printed, args


def test_tables_in_a_file_are_never_cut(data_dir: Path, tmp_path: Path) -> None:
    env = cli_env(data_dir)
    listed = json.loads(datafactory("templates", "list", "--json", env=env).out)
    table = datafactory("templates", "list", env=env | {"COLUMNS": "40"}).out
    assert listed and all(t["description"] in table for t in listed)
    assert all(f"│ {t['name']} " in table for t in listed)


def test_no_colour_on_a_terminal_with_no_color(data_dir: Path) -> None:
    coloured = datafactory("status", "--interval", "0.1", env=cli_env(data_dir), tty=("stdout",))
    assert coloured.code == 0 and COLOURS.search(coloured.out), "a terminal gets colour"
    plain = datafactory(
        "status", "--interval", "0.1", env=cli_env(data_dir, NO_COLOR="1"), tty=("stdout",)
    )
    assert plain.code == 0 and "Queues" in plain.out
    assert COLOURS.search(plain.out) is None


def test_status_gc_and_rebuild_print_json(data_dir: Path, tmp_path: Path) -> None:
    env = cli_env(data_dir)
    status = json.loads(datafactory("status", "--interval", "0.1", "--json", env=env).out)
    assert {s["stage"] for s in status["stages"]} >= {"spider", "refiner", "shipper"}
    assert any(s["stream"] == "df:spider" for s in status["streams"])
    freed = json.loads(datafactory("gc", "--dry-run", "--json", env=env).out)
    said = datafactory("gc", "--dry-run", env=env).out
    assert freed["dry_run"] is True
    assert f"{freed['files']} files of {freed['jobs']} jobs" in said
    replayed = datafactory("rebuild", "--output", str(tmp_path / "r.db"), "--json", env=env)
    found = json.loads(replayed.out)
    assert found["events"] > 0 and Path(found["database"]).is_file()
