#!/usr/bin/env bash
# Regenerates the lock files from pyproject.toml (`make lock`): requirements-dev.lock (the
# project and its dev extra, what scripts/setup.sh installs) and requirements.lock (the project
# alone, what the Dockerfile installs, pinned to the same versions). Universal (any platform,
# Python 3.11+) and with hashes. uv keeps the versions already pinned unless a new requirement
# needs another; `scripts/lock.sh --upgrade` moves everything to the newest allowed releases.
set -euo pipefail
cd "$(dirname "$0")/.."
uv=.venv/bin/uv
[[ -x $uv ]] || uv=uv
common=(--universal --python-version 3.11 --generate-hashes --quiet "$@")
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" -o requirements-dev.lock
"$uv" pip compile pyproject.toml -c requirements-dev.lock "${common[@]}" -o requirements.lock
