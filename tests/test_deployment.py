"""Issue 12.9: a production profile that `check --deploy` finds clean, no secret written in the code,
DEBUG refused by the web server, login throttling, outbound requests kept out of the internal network."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model

from sihe.core.errors import ValidationFailed
from sihe.core.outbound import check_url

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD_KEY = "k" * 20 + "Zq8-Lp2_Vx7!Hs4@Rt9#Nm1$Bc6%Jw3^" + "y" * 10


def _sihe(args, env, tmp_path):
    environment = {**os.environ, "SIHE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sihe.settings", **env}
    for name in [k for k, v in env.items() if v is None]:
        environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "sihe.manage", *args], env=environment, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_12_9_the_production_profile_passes_check_deploy(tmp_path):
    result = _sihe(["check", "--deploy", "--fail-level", "WARNING"],
                   {"SIHE_PROFILE": "production", "SIHE_SECRET_KEY": GOOD_KEY, "SIHE_ALLOWED_HOSTS": "erp.example.cn",
                    "DATABASE_URL": ""}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_12_9_production_refuses_to_start_without_its_own_secret_key(tmp_path):
    result = _sihe(["check"], {"SIHE_PROFILE": "production", "SIHE_SECRET_KEY": None, "DATABASE_URL": ""}, tmp_path)
    assert result.returncode != 0 and "SIHE_SECRET_KEY" in result.stderr
    weak = _sihe(["check"], {"SIHE_SECRET_KEY": "short", "DATABASE_URL": ""}, tmp_path)
    assert weak.returncode != 0 and "50 random characters" in weak.stderr


def test_12_9_the_web_server_refuses_debug(tmp_path):
    code = "import sihe.wsgi"
    environment = {**os.environ, "SIHE_VAR_DIR": str(tmp_path), "SIHE_DEBUG": "1", "DATABASE_URL": ""}
    result = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "sihe serve --dev" in result.stderr


def test_12_9_the_dev_secret_is_generated_not_written_in_the_code(tmp_path):
    from django.conf import settings

    assert "change-me" not in settings.SECRET_KEY and len(settings.SECRET_KEY) >= 50
    source = open(os.path.join(ROOT, "sihe", "settings.py"), encoding="utf-8").read()
    assert settings.SECRET_KEY not in source


@pytest.mark.django_db
def test_12_9_five_wrong_passwords_lock_the_login(client):
    get_user_model().objects.create_user(username="li", password="Correct-Horse-9")
    for _ in range(4):
        assert client.post("/login/", {"username": "li", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "li", "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": "li", "password": "Correct-Horse-9"})
    assert locked.status_code == 429 and "data-locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_12_9_outbound_requests_stay_out_of_the_internal_network(monkeypatch):
    monkeypatch.delenv("SIHE_OUTBOUND_ALLOW", raising=False)
    for url in ("http://127.0.0.1:5432/", "http://localhost/x", "http://169.254.169.254/latest/meta-data",
                "http://10.1.2.3/", "http://[::1]/", "http://192.168.1.10:8080/hook"):
        with pytest.raises(ValidationFailed) as refused:
            check_url(url, field="url")
        assert refused.value.code == "internal_address", url
    with pytest.raises(ValidationFailed):
        check_url("ftp://example.com/x")
    monkeypatch.setenv("SIHE_OUTBOUND_ALLOW", "10.0.0.0/8,localhost")
    assert check_url("http://10.1.2.3/") == "http://10.1.2.3/"
    assert check_url("http://localhost/x") == "http://localhost/x"


@pytest.mark.django_db
def test_12_9_a_webhook_to_an_internal_address_is_refused_at_subscription(api_as, monkeypatch):
    monkeypatch.delenv("SIHE_OUTBOUND_ALLOW", raising=False)
    response = api_as("admin").post("/api/v1/webhooks", {"url": "http://127.0.0.1:5432/", "event_types": ["stock.*"]})
    assert (response.status_code, response.json_body["field"], response.json_body["code"]) == (
        422, "url", "internal_address")


def test_12_9_login_throttling_reads_only_addresses(settings):
    """A forged X-Forwarded-For or a request made inside the process is not an address: it counts as
    0.0.0.0 (on PostgreSQL the throttling table's inet column would otherwise fail the login)."""
    from django.test import RequestFactory

    from sihe.web.security import client_ip

    settings.PRODUCTION = True
    forged = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, unknown", REMOTE_ADDR="10.0.0.1")
    proxied = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="evil, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert (client_ip(forged), client_ip(proxied)) == ("0.0.0.0", "203.0.113.9")
    settings.PRODUCTION = False
    inside = RequestFactory().get("/")
    inside.META.pop("REMOTE_ADDR")
    assert (client_ip(inside), client_ip(RequestFactory().get("/", REMOTE_ADDR="::1"))) == ("0.0.0.0", "::1")
