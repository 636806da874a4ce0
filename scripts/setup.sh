#!/usr/bin/env bash
# Prepares a machine for the project: system packages (when root), a venv, the Python packages
# at the versions requirements-dev.lock pins.
# Usage: scripts/setup.sh [--system] [--tests]
#   --system also installs redis-server and chromium via apt; --tests also the optional extras
#   the tests exercise (detoxify, on the CPU build of torch).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ " $* " == *" --system "* ]]; then
  missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v make >/dev/null || missing+=(make)
  if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
      echo "setup: please install: ${missing[*]}" >&2
    fi
  fi
fi

PYTHON=${PYTHON:-}
if [[ -z "$PYTHON" ]]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON=$candidate
      break
    fi
  done
fi
[[ -n "$PYTHON" ]] || { echo "setup: Python 3.11+ is required" >&2; exit 1; }

[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
stamp=.venv/.installed-$(cat pyproject.toml requirements-dev.lock | sha256sum | cut -c1-16)
if [[ ! -f "$stamp" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # Every package at the version the lock pins (hash-checked; `make lock` regenerates it),
  # then the project itself, with whatever pyproject.toml asks for beyond the lock (a
  # dependency added since the last `make lock`): a no-op when the lock is current.
  .venv/bin/python -m pip install -q -r requirements-dev.lock
  .venv/bin/python -m pip install -q -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi

if [[ " $* " == *" --tests "* ]]; then
  stamp=.venv/.tests-$(sha256sum pyproject.toml | cut -c1-16)
  if [[ ! -f "$stamp" ]]; then
    # torch first, pinned to the CPU build these machines keep on disk: detoxify asks for
    # any torch>=2, which pip would otherwise answer with a CUDA build of several GB.
    .venv/bin/python -m pip install -q torch==2.13.0
    .venv/bin/python -m pip install -q -e '.[dev,detoxify]'
    rm -f .venv/.tests-* && touch "$stamp"
  fi
fi
