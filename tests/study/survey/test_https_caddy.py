"""The survey over HTTPS behind Caddy, as docs/deploy.md sets it up, on loopback.

``replylab serve --workers 2 --proxy-headers --secure-cookies --store-ip`` (on
PostgreSQL when ``REPLYLAB_TEST_POSTGRES_URL`` is set, else SQLite) runs behind
a real ``caddy run`` with ``tls internal``: Caddy's own certificate authority
signs a certificate for 127.0.0.1.

- httpx checks the real chain: with Caddy's root certificate as ``verify=``
  ``/healthz`` answers, without it the handshake is refused;
- the scheme and the client's address reach the app through Caddy's
  ``X-Forwarded-*`` headers (a redirect built by the app says ``https://``; the
  stored address is the client's own, 127.0.0.2, not Caddy's 127.0.0.1 and not
  the one the client claims); straight to the app, such a claim is ignored;
- headless Chromium completes the whole Tilburg study at 390 px and 1280 px.
  Chromium trusts Caddy's root certificate through an NSS database in a
  throwaway ``HOME`` (``certutil``, Debian's ``libnss3-tools``); without
  ``certutil`` the browser context ignores certificate errors instead (the
  httpx checks still validate the chain). The session cookie is ``Secure``,
  the completion page shows, and every answer the browser gave is in the
  database. Screenshots go to ``test-artifacts/https/``.

Without Caddy the tests of the serve options still run: no ``X-Forwarded-*``
header is believed unless ``--proxy-headers`` is given, a warning says when
``--secure-cookies`` is missing, and a proxy address that is not an IP is
refused with a message.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from study import load_study
from study.cli import main as replylab
from study.survey.db import SurveyDatabase
from study.survey.export import build_export_table
from study.survey.server_process import SurveyServerProcess, free_port, write_study_variant
from tests.study.survey.conftest import ARGS, CHROMIUM, postgres_url, wipe
from tests.study.survey.test_browser import answer_every_item, shot

CADDY = shutil.which("caddy")
CERTUTIL = shutil.which("certutil")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "https"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
CLAIMED_ADDRESS = "203.0.113.7"  # a documentation address (RFC 5737) a client pretends to have

needs_caddy = pytest.mark.skipif(CADDY is None,
                                 reason="caddy is not installed (apt-get install caddy; .ci/run does)")

CADDYFILE = """\
{{
	admin off
	local_certs
	skip_install_trust
	default_bind 127.0.0.1
	http_port {http_port}
	https_port {https_port}
}}

https://127.0.0.1:{https_port} {{
	tls internal
	reverse_proxy 127.0.0.1:{upstream_port}
}}
"""


@contextmanager
def running_caddy(folder: Path, upstream_port: int, timeout: float = 30.0):
    """``caddy run`` on free loopback ports in front of ``upstream_port``; stopped on exit.

    Yields the HTTPS base URL and the path of Caddy's root certificate. Caddy's
    data (its CA, the certificates) and config folders live in ``folder``, and
    ``skip_install_trust`` keeps it away from the system's trust store.
    """
    https_port, http_port = free_port(), free_port()
    caddyfile = folder / "Caddyfile"
    caddyfile.write_text(CADDYFILE.format(https_port=https_port, http_port=http_port,
                                          upstream_port=upstream_port), encoding="utf-8")
    env = dict(os.environ, HOME=str(folder), XDG_DATA_HOME=str(folder / "data"),
               XDG_CONFIG_HOME=str(folder / "config"))
    log = open(folder / "caddy.log", "wb")
    process = subprocess.Popen([CADDY, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                               env=env, stdout=log, stderr=log)
    log.close()
    root = folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    url = f"https://127.0.0.1:{https_port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"caddy exited with code {process.returncode}: "
                                   + (folder / "caddy.log").read_text()[-2000:])
            try:
                if root.exists() and httpx.get(url + "/healthz", verify=verifying(root),
                                               timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"caddy did not serve {url} within {timeout} s: "
                                   + (folder / "caddy.log").read_text()[-2000:])
            time.sleep(0.1)
        yield url, root
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def verifying(root_certificate: Path) -> ssl.SSLContext:
    """A TLS context that trusts only ``root_certificate`` (and checks the host name)."""
    return ssl.create_default_context(cafile=str(root_certificate))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Caddy in front of ``replylab serve --workers 2`` with the options docs/deploy.md gives."""
    if CADDY is None:
        pytest.skip("caddy is not installed (apt-get install caddy; .ci/run does)")
    folder = tmp_path_factory.mktemp("https")
    study_file = write_study_variant(load_study("tilburg"), folder, min_view_seconds=0)
    study = load_study(study_file)
    db_url = postgres_url() or f"sqlite:///{folder / 'survey.db'}"
    db = SurveyDatabase(db_url)
    if postgres_url():
        wipe(db, study.id)  # one server for all tests
    server = SurveyServerProcess(study_file, db_url, workers=2, log_path=folder / "serve.log",
                                 extra_args=["--proxy-headers", "--secure-cookies", "--store-ip"])
    server.start()
    try:
        with running_caddy(folder, server.port) as (url, root):
            yield {"url": url, "root": root, "server": server, "db": db, "study": study,
                   "folder": folder}
    finally:
        server.stop()
        if postgres_url():
            wipe(db, study.id)
        db.close()


@needs_caddy
def test_healthz_through_caddy_over_a_verified_certificate_chain(deployment):
    response = httpx.get(deployment["url"] + "/healthz", verify=verifying(deployment["root"]))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    # the chain really is checked: without Caddy's root certificate there is no connection
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(deployment["url"] + "/healthz")
    # --proxy-headers with --secure-cookies: nothing to warn about
    assert "warning" not in (deployment["folder"] / "serve.log").read_text()


def start_participant(client: httpx.Client) -> tuple[str, str]:
    """Consent as a new participant in English; returns the session token and its Set-Cookie.

    The cookie is sent back by hand: it is ``Secure``, and a client keeps such a
    cookie away from plain http (the direct requests below).
    """
    welcome = client.get("/?lang=en")
    set_cookie = welcome.headers["set-cookie"]
    token = re.match(r"replylab_session=([^;]+)", set_cookie).group(1)
    response = client.post("/consent", headers={"Cookie": f"replylab_session={token}"},
                           data={"csrf_token": CSRF.search(welcome.text).group(1), "lang": "en",
                                 "consent": "yes"})
    assert response.status_code == 303, response.text[:300]
    return token, set_cookie


@needs_caddy
def test_scheme_and_client_address_come_from_caddy(deployment):
    url, tls = deployment["url"], verifying(deployment["root"])
    # a redirect the app builds from the request's own URL keeps https and Caddy's port
    response = httpx.get(url + "/healthz/", verify=tls)
    assert response.status_code == 307
    assert response.headers["location"] == url + "/healthz"
    # a client on 127.0.0.2 claims another address; Caddy replaces the claim with the
    # address it sees, and the app believes Caddy (127.0.0.1) only
    claimed = {"X-Forwarded-For": CLAIMED_ADDRESS, "X-Forwarded-Proto": "http"}
    through_caddy = httpx.Client(base_url=url, headers=claimed,
                                 transport=httpx.HTTPTransport(local_address="127.0.0.2", verify=tls))
    with through_caddy:
        token, set_cookie = start_participant(through_caddy)
        assert through_caddy.get("/healthz/").headers["location"] == url + "/healthz"
    assert "; secure" in set_cookie.lower()
    assert deployment["db"].participant_by_session(token)["ip_address"] == "127.0.0.2"
    # straight to the app from an address that is not a trusted proxy: the claim is ignored
    claimed["X-Forwarded-Proto"] = "https"
    direct = httpx.Client(base_url=deployment["server"].url, headers=claimed,
                          transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with direct:
        token, _ = start_participant(direct)
        redirect = direct.get("/healthz/")
    assert deployment["db"].participant_by_session(token)["ip_address"] == "127.0.0.2"
    assert redirect.headers["location"] == deployment["server"].url + "/healthz"  # http as sent


@pytest.fixture(scope="module")
def browser(deployment):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    env = dict(os.environ)
    if CERTUTIL:  # Chromium on Linux reads trusted CAs from $HOME/.pki/nssdb
        home = deployment["folder"] / "chromium-home"
        nssdb = home / ".pki" / "nssdb"
        nssdb.mkdir(parents=True)
        subprocess.run([CERTUTIL, "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
        subprocess.run([CERTUTIL, "-A", "-d", f"sql:{nssdb}", "-t", "C,,", "-n", "caddy-local-ca",
                        "-i", str(deployment["root"])], check=True)
        env["HOME"] = str(home)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        yield chromium
        chromium.close()


def given_answers(page) -> dict[str, str]:
    """What the page's form holds now, per item (radio value, number or text)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('fieldset.item')]
        .map(f => { const checked = f.querySelector('input[type=radio]:checked');
                    const field = f.querySelector('input[type=number], textarea');
                    return [f.id.replace(/^item-/, ''), checked ? checked.value : field.value]; }))""")


@needs_caddy
@pytest.mark.browser
@pytest.mark.parametrize(("lang", "width"), [("nl", 390), ("en", 1280)])
def test_chromium_completes_the_study_over_https(deployment, browser, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 800 else 900},
                                  ignore_https_errors=CERTUTIL is None)
    context.route("https://app.prolific.com/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<h1>Prolific</h1>"))
    page = context.new_page()
    pid = f"https{lang}{width}"
    page.goto(deployment["url"] + f"/?PROLIFIC_PID={pid}&lang={lang}")
    assert page.url.startswith("https://")
    shot(page, f"{width}-{lang}-consent", full=True, folder=ARTIFACTS)
    page.get_by_role("button", name={"nl": "Ik doe mee", "en": "I agree to take part"}[lang]).click()
    page.wait_for_selector(".rl-vignette")
    page.wait_for_function("!document.getElementById('next').disabled", timeout=5000)
    with page.expect_navigation():
        page.locator("#next").click()
    answers: dict[str, str] = {}
    while page.locator("fieldset.item").count():
        answer_every_item(page)
        answers.update(given_answers(page))
        with page.expect_navigation():
            page.locator("button[type=submit]").click()
    with page.expect_navigation():  # the debrief
        page.locator("button[type=submit]").click()
    assert page.locator("#completion-code").inner_text() == "FIBR2021"
    shot(page, f"{width}-{lang}-done", full=True, folder=ARTIFACTS)
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["replylab_session"]["secure"] and cookies["replylab_session"]["httpOnly"]
    context.close()

    db, study = deployment["db"], deployment["study"]
    [row] = db.participants_by_prolific(study.id, pid=pid)
    assert (row["status"], row["lang"], row["ip_address"]) == ("complete", lang, "127.0.0.1")
    stored = build_export_table(db, study).set_index("participant_id").loc[row["participant_id"]]
    assert len(answers) >= 20  # every questionnaire page was answered
    for item_id, value in answers.items():
        expected = float(value) if re.fullmatch(r"-?\d+(\.\d+)?", value) else value
        assert stored[item_id] == expected, (item_id, stored[item_id], value)


# --- the serve options behind a proxy ---------------------------------------------------


@pytest.mark.parametrize("trusted", ["proxy.example", "10.0.0.300", "127.0.0.1,,::1"])
def test_a_proxy_address_that_is_not_an_ip_is_refused_with_a_message(trusted, capsys):
    assert replylab(["serve", "tilburg", "--forwarded-allow-ips", trusted]) == 2
    error = capsys.readouterr().err
    assert error.startswith("replylab serve: --forwarded-allow-ips:") and "Traceback" not in error
    assert "is not an IP address or network" in error


def redirect_scheme(server_url: str, **headers) -> str:
    """The scheme of the absolute redirect the app builds for ``/healthz/``."""
    return httpx.get(server_url + "/healthz/", headers=headers).headers["location"].split(":", 1)[0]


def test_forwarded_headers_are_believed_only_with_proxy_headers(tmp_path):
    study_file = write_study_variant(load_study("tilburg"), tmp_path, min_view_seconds=0)
    db_url = f"sqlite:///{tmp_path / 'proxy.db'}"
    plain = SurveyServerProcess(study_file, db_url, log_path=tmp_path / "plain.log")
    with plain:  # uvicorn alone would trust 127.0.0.1; replylab serve trusts nobody unless told
        assert redirect_scheme(plain.url, **{"X-Forwarded-Proto": "https"}) == "http"
    proxied = SurveyServerProcess(study_file, db_url, log_path=tmp_path / "proxied.log",
                                  extra_args=["--proxy-headers"])
    with proxied:
        assert redirect_scheme(proxied.url, **{"X-Forwarded-Proto": "https"}) == "https"
        assert redirect_scheme(proxied.url) == "http"
    log = (tmp_path / "proxied.log").read_text()
    assert "X-Forwarded-For/-Proto believed from 127.0.0.1,::1" in log
    assert "warning: --proxy-headers without --secure-cookies" in log
    assert "warning" not in (tmp_path / "plain.log").read_text()
