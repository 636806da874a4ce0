"""Each page's logic through NiceGUI's simulated user, against the gateway's real lifespan."""

from __future__ import annotations

import stat

import pytest
from nicegui import ui
from nicegui.testing.user import User

from services.gateway.container import Gateway
from services.gateway.queries import job_figures, views
from services.gateway.session_cookie import COOKIE
from shared import user_settings
from shared.contract import streams
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import ExportWritten
from shared.user_settings import UserSettings
from tests.dashboard.seed import publish
from tests.helpers import by_type, read_all, wait_for


async def test_home_shows_the_totals_active_jobs_and_recent_exports(
    user: User, seeded: dict[str, str]
) -> None:
    await user.open("/")
    await user.should_see("Total jobs")
    await user.should_see("226 / 324")  # passed of generated, both jobs
    await user.should_see(seeded["active"])
    await user.should_see("210 examples")  # the finished job's export
    assert user.find(kind=ui.echart).elements  # the 7-day cost chart


async def test_a_project_is_created_validated_edited_and_refused_deletion_while_active(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    await user.open("/projects")
    user.find("New project").click()
    user.find("Save").click()
    await user.should_see("Name is required.")
    user.find(kind=ui.input, content="Name").type("Chisels")
    user.find("Save").click()
    projects = await wait_for(
        lambda: views.list_projects(gateway.reader), lambda found: len(found) == 2
    )
    made = next(p for p in projects if p.name == "Chisels")
    await user.should_see(kind=ui.link, content="Chisels")

    user.find(marker=f"edit-{made.id}").click()
    user.find(kind=ui.input, content="Name").clear().type("Gouges")
    user.find("Save").click()
    await wait_for(
        lambda: views.get_project(gateway.reader, made.id),
        lambda p: p is not None and p.name == "Gouges",
    )
    await user.should_see(kind=ui.link, content="Gouges")

    user.find(marker="delete-proj_tools").click()
    user.find(kind=ui.button, content="Delete").click()
    await user.should_see("has 1 active jobs")  # the seeded running job refuses it


async def test_the_project_page_lists_its_jobs(user: User, seeded: dict[str, str]) -> None:
    await user.open(f"/projects/{seeded['project']}")
    await user.should_see(seeded["done"])
    await user.should_see(seeded["active"])
    await user.should_see("New job")


async def test_a_new_job_lists_bad_urls_estimates_and_starts(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    await user.open(f"/projects/{seeded['project']}/new-job")
    urls = "https://docs.example.com/a\nftp://nowhere\nhttps://docs.example.com/b"
    user.find(kind=ui.textarea).type(urls)
    await user.should_see("1 URL will be left out", retries=100)
    await user.should_see("ftp://nowhere")
    await user.should_see("chunks")  # the estimate, pages -> chunks -> tokens -> $
    user.find("Start job").click()
    submitted = await wait_for(
        lambda: read_all(gateway.redis, streams.EVENTS),
        lambda events: len(by_type(events, "JobSubmitted")) == 3,  # the seeded two, then ours
    )
    job = by_type(submitted, "JobSubmitted")[-1]
    await user.should_see(job.job_id, retries=100)  # the page went on to the new job's page
    assert job.urls == ["https://docs.example.com/a", "https://docs.example.com/b"]


async def test_the_job_page_cancels_a_running_job_once_confirmed_and_then_looks_stopped(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    await user.open(f"/jobs/{seeded['active']}")
    await user.should_see("4 / 10")  # the spider's pages
    user.find(marker="cancel-job").click()
    user.find(marker="keep-running").click()  # asked first: keeping it writes nothing
    assert not by_type(await read_all(gateway.redis, streams.EVENTS), "JobCancelled")
    user.find(marker="cancel-job").click()
    user.find(marker="cancel-confirm").click()
    events = await wait_for(
        lambda: read_all(gateway.redis, streams.EVENTS),
        lambda found: bool(by_type(found, "JobCancelled")),
    )
    assert [e.job_id for e in by_type(events, "JobCancelled")] == [seeded["active"]]
    await user.should_see("Cancelled: no stage takes new work for this job.", retries=100)
    await user.should_not_see(marker="cancel-job")


async def test_the_job_page_shows_the_estimate_against_the_actual_cost(
    user: User, seeded: dict[str, str]
) -> None:
    await user.open(f"/jobs/{seeded['active']}")
    await user.should_see("4 pages' sizes, 6 pages to fetch", retries=100)
    await user.should_see("actual $0.00192")  # what the chunks generated so far cost
    await user.should_see("7 chunks over the per-page cap were not used")


async def test_an_export_is_asked_again_in_another_format(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    await user.open("/exports")
    await user.should_see("v20260301T120006Z")
    for select in user.find(marker="reexport-format").elements:
        assert isinstance(select, ui.select)
        select.set_value("csv")
    user.find("Re-export").click()
    requests = await wait_for(
        lambda: read_all(gateway.redis, streams.SHIPPER),
        lambda found: bool(by_type(found, "ExportJob")),
    )
    assert by_type(requests, "ExportJob")[0].export.format == "csv"


async def test_settings_keep_the_key_in_a_private_file_and_show_it_masked(
    user: User, gateway: Gateway
) -> None:
    key = "sk-dashboard-0123456789abcdefWXYZ"
    await user.open("/settings")
    user.find(kind=ui.input, content="Model").type("gpt-4o")
    user.find(kind=ui.input, content="API base").type("http://127.0.0.1:9/v1")
    user.find(kind=ui.input, content="API key").type(key)
    user.find("Save settings").click()
    await user.should_see("saved key: ••••••••WXYZ")
    await user.should_not_see(key)
    saved = user_settings.load(gateway.settings.data_dir)
    assert saved.llm_model == "gpt-4o" and saved.llm_api_key is not None
    assert saved.llm_api_key.get_secret_value() == key
    path = user_settings.path(gateway.settings.data_dir)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    await user.open("/settings")  # a fresh page knows the key only masked
    await user.should_see("saved key: ••••••••WXYZ")
    await user.should_not_see(key)


async def test_settings_refuse_an_api_base_that_is_not_http(user: User, gateway: Gateway) -> None:
    await user.open("/settings")
    user.find(kind=ui.input, content="API base").type("file:///etc/passwd")
    user.find("Save settings").click()
    await user.should_see("Llm api base")
    assert not user_settings.path(gateway.settings.data_dir).exists()


async def test_a_new_job_starts_from_the_defaults_saved_in_settings(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    defaults = JobConfig(generation=GenerationConfig(examples_per_chunk=7))
    user_settings.save(gateway.settings.data_dir, UserSettings(job_defaults=defaults))
    await user.open(f"/projects/{seeded['project']}/new-job")
    user.find(kind=ui.textarea).type("https://docs.example.com/c")
    await user.should_see("chunks", retries=100)
    user.find("Start job").click()
    events = await wait_for(
        lambda: read_all(gateway.redis, streams.EVENTS),
        lambda found: len(by_type(found, "JobSubmitted")) == 3,
    )
    assert by_type(events, "JobSubmitted")[-1].config.generation.examples_per_chunk == 7


async def test_home_lists_a_new_export_without_a_reload(
    user: User, gateway: Gateway, seeded: dict[str, str]
) -> None:
    await user.open("/")
    await user.should_see("210 examples")
    export = ExportWritten(
        event_id="export-csv", job_id=seeded["done"], export_id="export-csv", format="csv",
        key="exports/missing.csv", card_key="",
        record_count=7, rejected_count=0, version="v2",
    )  # fmt: skip
    await publish(gateway.redis, [(streams.EVENTS, export)])
    await user.should_see("7 examples", retries=100)


async def test_the_frame_offers_to_log_out_only_to_a_signed_in_browser(user: User) -> None:
    await user.open("/settings")
    await user.should_not_see("log out")
    user.http_client.cookies.set(COOKIE, "a session")
    await user.open("/settings")
    await user.should_see(kind=ui.link, content="log out")


async def test_the_job_figures_count_every_scored_example_and_price_each_stage(
    gateway: Gateway, seeded: dict[str, str]
) -> None:
    found = await job_figures.score_histogram(gateway.reader, seeded["done"])
    assert (sum(found.passed), sum(found.rejected)) == (210, 90)
    assert found.rejected[3:] == [0] * 7 and found.passed[:3] == [0] * 3  # passed: >= 0.3
    costs = await job_figures.stage_costs(gateway.reader, seeded["done"])
    assert [c.stage for c in costs] == ["factory"]
    assert costs[0].cost_usd == pytest.approx(60 * 5 * 0.00008)
    assert (costs[0].prompt_tokens, costs[0].completion_tokens) == (60 * 1500, 60 * 300)


async def test_an_unknown_project_or_job_is_said_so(user: User) -> None:
    for path, what in [("/projects/proj_nope", "project"), ("/projects/proj_nope/new-job", "project"),
                       ("/jobs/job_nope", "job")]:  # fmt: skip
        await user.open(path)
        await user.should_see(f"No such {what} (yet)")
