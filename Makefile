# The README's commands. Each target does its own set-up.
.PHONY: setup setup-system demo up test lint typecheck unit bench lock

setup:
	@scripts/setup.sh

setup-system:
	@scripts/setup.sh --system --tests

demo: setup
	.venv/bin/datafactory run --sample

up: setup
	.venv/bin/datafactory up

lint: setup
	.venv/bin/ruff check shared services tests bench
	.venv/bin/ruff format --check shared services tests bench
	.venv/bin/lint-imports

typecheck: setup
	.venv/bin/mypy

test: setup-system lint typecheck
	.venv/bin/pytest -q -p no:cacheprovider

# The fast loop: every test but the multi-process end-to-end ones (marked slow).
unit: setup
	.venv/bin/pytest -q -p no:cacheprovider -m "not slow"

bench: setup
	.venv/bin/python bench/spider.py
	.venv/bin/python bench/refiner.py
	.venv/bin/python bench/factory.py
	.venv/bin/python bench/factory_batch.py
	.venv/bin/python bench/projector.py
	.venv/bin/python bench/inspector.py
	.venv/bin/python bench/shipper.py
	.venv/bin/python bench/gateway.py
	.venv/bin/python bench/e2e.py

# Regenerates requirements-dev.lock and requirements.lock from pyproject.toml, keeping the
# versions already pinned; `make lock LOCK_ARGS=--upgrade` moves to the newest releases.
lock: setup
	scripts/lock.sh $(LOCK_ARGS)
