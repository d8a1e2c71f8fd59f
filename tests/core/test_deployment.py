"""Production settings: secure defaults when DEBUG is off, checked by `parcours check --deploy`,
a refusal to start without SECRET_KEY, and a Content-Security-Policy that the pages respect."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

PARCOURS = str(Path(sys.executable).parent / "parcours")
# Variables a developer's shell or the test run may hold, which would hide production's defaults.
DROPPED = {
    "DEBUG", "PARCOURS_DEMO", "SECRET_KEY", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process
}  # fmt: skip


def run_parcours(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in DROPPED}
    environment.update(PARCOURS_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [PARCOURS, *args], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )


def production(**env: str) -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "parcours.departement.fr", **env}


SHOW_SETTINGS = """
from django.conf import settings
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
         "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SAMESITE", "X_FRAME_OPTIONS"]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def shown_settings(tmp_path, **env) -> dict:
    result = run_parcours(tmp_path, "shell", "-c", "import json\n" + SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_without_warnings_in_production(tmp_path):
    result = run_parcours(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production(SECURE_SSL_REDIRECT="1")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_parcours(tmp_path, "check", ALLOWED_HOSTS="parcours.departement.fr")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr and "obligatoire en production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_demo_and_debug_keep_a_generated_key(tmp_path):
    assert run_parcours(tmp_path, "check", DEBUG="1").returncode == 0
    assert (tmp_path / "secret_key").exists()
    assert run_parcours(tmp_path, "check", PARCOURS_DEMO="1").returncode == 0


def test_production_defaults_are_secure(tmp_path):
    shown = shown_settings(tmp_path, **production())
    assert shown == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_SSL_REDIRECT": False,  # usually the reverse proxy's job
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "X_FRAME_OPTIONS": "DENY",
    }


def test_debug_and_environment_override_the_defaults(tmp_path):
    debug = shown_settings(tmp_path, DEBUG="1")
    assert debug["SESSION_COOKIE_SECURE"] is False and debug["SECURE_HSTS_SECONDS"] == 0
    behind_proxy = shown_settings(
        tmp_path,
        **production(
            SECURE_COOKIES="0", SECURE_HSTS_SECONDS="600", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https"
        ),
    )
    assert behind_proxy["SESSION_COOKIE_SECURE"] is False and behind_proxy["SECURE_HSTS_SECONDS"] == 600
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "parcours" / "templates"


def test_templates_have_no_inline_script_style_or_event_handler():
    """The policy allows neither: such code would silently stop working in the browser."""
    offending = []
    for template in TEMPLATES.rglob("*.html"):
        if template.parent.name == "letters":
            continue  # printed to PDF by WeasyPrint, never served to a browser
        text = template.read_text(encoding="utf-8")
        inline_scripts = [tag for tag in re.findall(r"<script[^>]*>", text) if "src=" not in tag]
        if inline_scripts or re.search(r"\son[a-z]+=|\sstyle=|<style", text):
            offending.append(str(template.relative_to(TEMPLATES)))
    assert offending == []


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token_from_a_static_script(logged_client):
    html = logged_client.get(reverse("core:home")).content.decode()
    assert re.search(r'<script src="/static/parcours/csrf.js" data-csrf-token="[^"]+"></script>', html)


def test_every_scheduled_task_is_in_the_deployment_guide():
    """docs/deployment.md lists every daily and periodic task with its setting: an operator reads
    there what runs when, so a task added without its line fails here."""
    from django.conf import settings

    from parcours.core.schedules import DAILY_TASKS, PERIODIC_TASKS

    guide = (settings.BASE_DIR.parent.parent / "docs" / "deployment.md").read_text()
    missing = [
        task.func
        for task in [*DAILY_TASKS, *PERIODIC_TASKS]
        if f"`{task.func.removeprefix('parcours.')}`" not in guide
    ]
    assert missing == []
