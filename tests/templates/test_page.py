"""The template editor page: built-ins shown with their source, user templates created,
refused with the reason, saved as new versions and deleted."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing.user import User

from services.gateway.container import Gateway
from services.gateway.queries import templates as queries

# Attempts, 0.1 s apart, to see what a save or delete shows: it vets the template off the loop.
SAVE = 100


async def test_a_user_template_is_created_refused_edited_and_deleted(
    user: User, dashboard: tuple[User, Gateway]
) -> None:
    gw = dashboard[1]
    await user.open("/templates")
    await user.should_see("conversation")
    user.find("New template").click()
    user.find(kind=ui.input, content="Name").type("pairs")
    user.find(kind=ui.textarea, content="System prompt").type("You write pairs.")
    user.find(kind=ui.textarea, content="User prompt").type("{{ ''.__class__ }} {{ text }}")
    user.find("Save").click()
    await user.should_see("attribute '__class__' is not allowed", retries=SAVE)
    user.find(kind=ui.textarea, content="User prompt").clear().type("Pairs from: {{ text }}")
    user.find("Save").click()
    await user.should_see("user@1", retries=SAVE)
    spec = await queries.stored(gw.redis, "pairs")
    assert spec is not None and spec.mapping.input == "question"
    user.find(marker="edit-pairs").click()
    user.find(kind=ui.input, content="Description").type("Question and answer pairs.")
    user.find("Save").click()
    await user.should_see("user@2", retries=SAVE)
    user.find(marker="delete-pairs").click()
    await user.should_not_see("user@2", retries=SAVE)
    assert await queries.stored(gw.redis, "pairs") is None


async def test_a_built_in_template_shows_its_source(user: User) -> None:
    await user.open("/templates")
    user.find(marker="source-conversation").click()
    await user.should_see("conversation · built-in")
    await user.should_see(kind=ui.code)
