"""The settings modules: production refuses to start when unsafe and otherwise passes Django's
deployment checks at WARNING (``make deploy-check``, ``docs/deploy.md``); the package name still
means the base, which serves the demo over plain HTTP; the tests run on the lean test settings."""

from __future__ import annotations

import importlib
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from vawg_site.config import env

PRODUCTION = "vawg_site.config.settings.production"
GOOD_KEY = "k3y-" + "x7Qp9" * 12
SECURITY = (
    "SECURE_",
    "SESSION_",
    "CSRF_",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "X_FRAME",
    "MIDDLEWARE",
)
"""The settings Django's security checks read."""
GOOD = {"VAWG_SECRET_KEY": GOOD_KEY, "VAWG_ALLOWED_HOSTS": "vawg.example.org", "VAWG_DEBUG": "0"}


def _production(monkeypatch: pytest.MonkeyPatch, **environ: str | None) -> dict[str, Any]:
    """The production module's settings, run afresh in the environment ``GOOD | environ``
    (``None`` unsets a variable)."""
    for name, value in {**GOOD, **environ}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    namespace = runpy.run_module(PRODUCTION)
    return {name: value for name, value in namespace.items() if name.isupper()}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"VAWG_SECRET_KEY": None}, "VAWG_SECRET_KEY is the published default"),
        ({"VAWG_SECRET_KEY": env.DEFAULT_SECRET_KEY}, "VAWG_SECRET_KEY is the published default"),
        ({"VAWG_SECRET_KEY": "short-but-random-9f8e7d"}, "VAWG_SECRET_KEY is too weak"),
        ({"VAWG_SECRET_KEY": "ab" * 40}, "VAWG_SECRET_KEY is too weak"),
        ({"VAWG_DEBUG": "1"}, "VAWG_DEBUG is on"),
        ({"VAWG_DEBUG": "true"}, "VAWG_DEBUG is on"),
        ({"VAWG_ALLOWED_HOSTS": None}, "VAWG_ALLOWED_HOSTS is not set"),
        ({"VAWG_ALLOWED_HOSTS": " , "}, "VAWG_ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str | None], named: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=named):
        _production(monkeypatch, **environ)


def test_production_names_every_setting_to_fix_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        _production(monkeypatch, VAWG_SECRET_KEY=None, VAWG_DEBUG="1", VAWG_ALLOWED_HOSTS=None)
    message = str(refused.value)
    for name in ("VAWG_DEBUG", "VAWG_SECRET_KEY", "VAWG_ALLOWED_HOSTS"):
        assert name in message
    assert GOOD_KEY not in message


def test_production_is_https_only(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _production(monkeypatch, VAWG_PROXY_SSL_HEADER="X-Forwarded-Proto=https")
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == GOOD_KEY
    assert values["ALLOWED_HOSTS"] == ["vawg.example.org"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert _production(monkeypatch, VAWG_PROXY_SSL_HEADER=None)["SECURE_PROXY_SSL_HEADER"] is None


def test_production_passes_the_deployment_checks_at_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``vawg manage check --deploy --fail-level WARNING``'s security checks, in this process: the
    settings they read are overridden with production's."""
    values = _production(monkeypatch)
    checked = {name: value for name, value in values.items() if name.startswith(SECURITY)}
    with override_settings(**checked):
        found = run_checks(include_deployment_checks=True, tags=[Tags.security])
    assert [f"{message.id}: {message.msg}" for message in found] == []
    with override_settings(DEBUG=False, SECURE_SSL_REDIRECT=False):  # the base, for contrast
        found = run_checks(include_deployment_checks=True, tags=[Tags.security])
        assert "security.W008" in {message.id for message in found}


def test_the_package_means_the_base_which_serves_plain_http_with_no_setup() -> None:
    package = importlib.import_module("vawg_site.config.settings")
    base = importlib.import_module("vawg_site.config.settings.base")
    names = {name for name in vars(base) if name.isupper()}
    assert names <= set(vars(package))
    assert all(getattr(package, name) is getattr(base, name) for name in names)
    assert not getattr(package, "SECURE_SSL_REDIRECT", False)
    assert not getattr(package, "SESSION_COOKIE_SECURE", False)
    assert "127.0.0.1" in package.ALLOWED_HOSTS


def test_the_suite_runs_on_the_test_settings() -> None:
    assert settings.SETTINGS_MODULE == "vawg_site.config.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize("raw", ["X-Forwarded-Proto", "=https", "X-Forwarded-Proto="])
def test_a_proxy_header_needs_a_name_and_a_value(raw: str) -> None:
    with pytest.raises(ValueError, match="VAWG_PROXY_SSL_HEADER"):
        env.proxy_ssl_header(raw)


def _vawg_process(*args: str, environ: dict[str, str], home: Path) -> Any:
    """The installed ``vawg`` in a fresh interpreter: Django's settings module is chosen once per
    process, so another module than the suite's needs another process."""
    run_env = {**os.environ, **environ, "VAWG_HOME": str(home)}
    run_env["DJANGO_SETTINGS_MODULE"] = PRODUCTION
    return subprocess.run(
        [str(Path(sys.executable).parent / "vawg"), *args],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_the_installed_command_exits_0_on_the_deploy_check_and_1_when_production_refuses(
    tmp_path: Path,
) -> None:
    """``make deploy-check`` as CI runs it; and exit code 1 ("anything else",
    ``docs/interfaces.md``, Exit codes) from the real entry point when the settings refuse to
    start."""
    check = ("manage", "check", "--deploy", "--fail-level", "WARNING")
    passed = _vawg_process(*check, environ=GOOD, home=tmp_path)
    assert passed.returncode == 0, passed.stderr
    refused = _vawg_process(*check, environ={**GOOD, "VAWG_DEBUG": "1"}, home=tmp_path)
    assert refused.returncode == 1
    assert "the production settings refuse to start: VAWG_DEBUG is on" in refused.stderr
