# The two commands a user needs: `make demo` runs the platform, `make test` runs the checks and the
# default test lane.
# Both set everything up on a machine that has only Python 3.11+, Node/npm and make: uv (installed
# with pip into .tools/ when it is not on the PATH), the Python environment from uv.lock, the npm
# packages from package-lock.json, and the site's static assets.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen
# The default test lane: every test not marked slow, on a worker per core, each test file kept on
# one worker so that its module fixtures and first reads are not repeated on another
# (docs/architecture.md, "Tests"). `make test PYTEST_LANE=` runs every lane, as CI does;
# PYTEST_ARGS adds options, and a -m, -n or --dist given there replaces the lane's
# (`make pytest PYTEST_ARGS='-m realdata'`).
PYTEST_LANE ?= -m "not slow"
PYTEST_ARGS ?=

.PHONY: demo test check pytest deploy-check setup assets docs clean

demo: setup
	$(RUN) vawg demo

test: check pytest

setup: .venv/.synced build/static/BUILD.json

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

build/static/BUILD.json: node_modules/.package-lock.json scripts/build-assets.mjs $(wildcard src/vawg_site/static_src/*)
	npm run --silent build

assets: build/static/BUILD.json

check: setup
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) vawg manage makemigrations --check --dry-run
	$(RUN) vawg docs --check

pytest: setup
	$(RUN) pytest -n auto --dist loadfile $(PYTEST_LANE) $(PYTEST_ARGS)

# Django's deployment checks on the production settings, with a throwaway signing key: what a
# deployment must pass (docs/deploy.md). CI runs it.
deploy-check: setup
	DJANGO_SETTINGS_MODULE=vawg_site.config.settings.production \
	VAWG_SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	VAWG_ALLOWED_HOSTS=vawg.example VAWG_PROXY_SSL_HEADER=X-Forwarded-Proto=https \
	$(RUN) vawg manage check --deploy --fail-level WARNING

docs: setup
	$(RUN) vawg docs

clean:
	rm -rf .venv .tools node_modules build var
