"""SIGTERM drains the requests in flight: ``replylab serve`` in a child process.

A request is held in flight for real: its headers and half of its body go over
a raw socket, the server is sent SIGTERM, and only then does the rest of the
body follow. The consent it carries must be answered in full and stored; new
connections must be refused meanwhile; the process must exit with code 0. A
client that never finishes its request cannot hold the server past
``--shutdown-timeout``. With two workers the supervisor passes SIGTERM on and
each worker drains in the same way; new connections are refused there too
(the supervisor closes its own copy of the listening socket first).
"""

from __future__ import annotations

import re
import socket
import time
from urllib.parse import urlencode

import httpx
import pytest

from study import load_study
from study.survey.db import SurveyDatabase
from study.survey.server_process import SurveyServerProcess, write_study_variant

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def study_file(tmp_path_factory):
    return write_study_variant(load_study("tilburg"), tmp_path_factory.mktemp("study"),
                               min_view_seconds=0)


def consent_in_flight(url: str, port: int) -> tuple[socket.socket, bytes, str]:
    """A consent POST whose headers and first half of the body are sent; the rest is returned.

    Returns the open socket, the body bytes still to send, and the session token.
    """
    welcome = httpx.get(url + "/?lang=en", timeout=10)
    token = welcome.cookies["replylab_session"]
    body = urlencode({"csrf_token": CSRF.search(welcome.text).group(1), "lang": "en",
                      "consent": "yes"}).encode()
    head = (f"POST /consent HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: replylab_session={token}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head + body[: len(body) // 2])
    return sock, body[len(body) // 2:], token


def read_response(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def finish(in_flight) -> list[bytes]:
    """Send the rest of each request held in flight and read its response."""
    responses = []
    for sock, rest, _ in in_flight:
        sock.sendall(rest)
        responses.append(read_response(sock))
        sock.close()
    return responses


def refuses_connections(port: int, within: float) -> bool:
    """Whether connecting to ``port`` is refused (the listening socket is closed) within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except ConnectionRefusedError:
            return True
        time.sleep(0.05)
    return False


def terminate_with_requests_in_flight(server, *, settle: float, timeout: float):
    """Start ``server``, hold four consents in flight, send SIGTERM; new connections must be
    refused while the server waits for those four, which are then sent in full.

    Returns the requests (socket, rest, session token), their responses and the exit code.
    """
    server.start()
    try:
        in_flight = [consent_in_flight(server.url, server.port) for _ in range(4)]
        time.sleep(settle)  # the server has read the headers and waits for the bodies
        server.terminate()
        assert refuses_connections(server.port, within=3.0), "new connections were still accepted"
        assert server.process.poll() is None, "the server exited with requests in flight"
        responses = finish(in_flight)
        return in_flight, responses, server.wait(timeout=timeout)
    finally:
        server.kill()


def test_sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_zero(study_file, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'drain.db'}"
    server = SurveyServerProcess(study_file, db_url, log_path=tmp_path / "server.log")
    in_flight, responses, exit_code = terminate_with_requests_in_flight(server, settle=0.3, timeout=15)
    log = (tmp_path / "server.log").read_text()
    assert exit_code == 0, log
    for response in responses:
        head = response.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1.1 303"), response[:300]
        assert b"location: /page/vignette" in head
        assert b"connection: close" in head  # the server says it is going away
    db = SurveyDatabase(db_url)
    try:  # each consent sent during the shutdown was stored: the participant was assigned
        for _, _, token in in_flight:
            participant = db.participant_by_session(token)
            assert participant is not None and participant["step"] == "vignette"
    finally:
        db.close()


def test_a_request_that_never_finishes_is_cut_off_after_the_shutdown_timeout(study_file, tmp_path):
    server = SurveyServerProcess(study_file, f"sqlite:///{tmp_path / 'stuck.db'}",
                                 log_path=tmp_path / "server.log", extra_args=["--shutdown-timeout", "1"])
    server.start()
    try:
        sock, _, _ = consent_in_flight(server.url, server.port)
        time.sleep(0.3)
        started = time.monotonic()
        server.terminate()
        exit_code = server.wait(timeout=15)
        waited = time.monotonic() - started
        response = read_response(sock)
        sock.close()
    finally:
        server.kill()
    assert exit_code == 0, (tmp_path / "server.log").read_text()
    # 1 s of grace plus uvicorn's 0.1 s pause and the process's exit; generous for a busy machine
    assert 0.9 <= waited < 6.0, waited
    # the cancelled request gets uvicorn's 500 (or, with another version, a closed connection)
    assert response == b"" or response.startswith(b"HTTP/1.1 500"), response[:200]


def test_with_two_workers_sigterm_finishes_requests_in_flight_and_exits_zero(study_file, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'workers.db'}"
    server = SurveyServerProcess(study_file, db_url, log_path=tmp_path / "server.log", workers=2)
    # uvicorn's supervisor handles signals every 0.5 s; then no copy of the socket is open
    in_flight, responses, exit_code = terminate_with_requests_in_flight(server, settle=0.5, timeout=20)
    assert exit_code == 0, (tmp_path / "server.log").read_text()
    assert all(response.startswith(b"HTTP/1.1 303") for response in responses), responses
    db = SurveyDatabase(db_url)
    try:
        assert all(db.participant_by_session(token) for _, _, token in in_flight)
    finally:
        db.close()
