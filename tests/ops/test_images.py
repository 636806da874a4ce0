"""The image and the installs, checked statically (no Docker engine runs here): a multi-stage
build from the hash-checked lock, the browser only in the spider's image, non-root, no fetches
beyond the registries; locks that agree with pyproject.toml and with each other."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def stages() -> dict[str, list[str]]:
    """Each build stage's instructions (continuation lines joined), by stage name."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if match := re.fullmatch(r"FROM \S+ AS (\w+)", line):
            current = found.setdefault(match.group(1), [])
        if line and not line.startswith("#"):
            current.append(line)
    return found


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.M)
    }


def test_the_image_is_built_in_stages_and_only_the_default_one_has_a_browser() -> None:
    built = stages()
    assert list(built) == ["build", "slim", "full"], "full, with the browser, is the default"
    assert not any("chromium" in line for line in built["slim"] + built["build"])
    assert any("apt-get install" in line and "chromium" in line for line in built["full"])
    assert "FROM slim AS full" in built["full"][0]
    assert any(line.startswith("COPY --from=build /opt/venv") for line in built["slim"])


def test_the_build_installs_the_hash_checked_lock_then_the_project_alone() -> None:
    build = stages()["build"]
    lock = build.index("COPY requirements.lock ./")
    installs = [i for i, line in enumerate(build) if "pip install" in line]
    assert "--require-hashes -r requirements.lock" in build[installs[0]] and installs[0] > lock
    assert "--no-deps" in build[installs[-1]]
    assert installs[0] < min(i for i, line in enumerate(build) if "COPY services" in line)


def test_every_image_runs_as_a_non_root_user_and_fetches_nothing_itself() -> None:
    for name, lines in stages().items():
        joined = "\n".join(lines).lower()
        for fetch in ("curl ", "wget ", "add http", "playwright install", "git clone"):
            assert fetch not in joined, f"{name} fetches with {fetch!r}"
    for name in ("slim", "full"):
        users = [line for line in stages()[name] if line.startswith("USER ")]
        assert users[-1] == "USER 1000", name
    assert {".git", ".venv", "data"} <= dockerignored()


def test_the_locks_agree_with_each_other_and_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert runtime and all(dev[name] == version for name, version in runtime.items())
    wanted = [(runtime, r) for r in project["dependencies"]]
    wanted += [(dev, r) for r in project["optional-dependencies"]["dev"]]
    for lock, line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        # A dependency added since the last `make lock` is installed by setup anyway.
        if name in lock:
            assert requirement.specifier.contains(lock[name], prereleases=True), line
    assert "--hash=sha256:" in (ROOT / "requirements.lock").read_text()


def test_setup_installs_the_lock_before_the_project() -> None:
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    lock = setup.index("pip install -q -r requirements-dev.lock")
    assert lock < setup.index("pip install -q -e '.[dev]'")
    assert "make lock" in setup and "lock:" in (ROOT / "Makefile").read_text()


def dockerignored() -> set[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_everything_the_build_copies_is_in_its_context() -> None:
    ignored = dockerignored()
    copied = [
        source
        for lines in stages().values()
        for line in lines
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    ]
    assert "requirements.lock" in copied
    for source in copied:
        assert (ROOT / source).exists() and source not in ignored, source
