"""``replylab serve STUDY [--db URL] [--host 127.0.0.1] [--port 8000]``: run the web survey.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab serve")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--port", "8080"])
>>> args.host, args.port, args.db
('127.0.0.1', 8080, None)
>>> proxy_settings(parser.parse_args(["tilburg"]))
{'proxy_headers': False}
>>> proxy_settings(parser.parse_args(["tilburg", "--forwarded-allow-ips", "10.0.0.5"]))
{'proxy_headers': True, 'forwarded_allow_ips': '10.0.0.5'}
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys

from study.errors import UserError

NAME = "serve"
HELP = "Serve the study to participants (web survey with an /admin page for the researcher)."
DESCRIPTION = """\
Serve the study's web survey: consent, the condition's vignette, the
questionnaire pages, the debrief and the completion code (or the Prolific
redirect). Participants start at http://HOST:PORT/ (Prolific adds
?PROLIFIC_PID=...&STUDY_ID=...&SESSION_ID=...; ?lang=nl|en picks the language).

Answers are stored in SQLite (replylab.db in the working directory) unless
--db gives a URL such as postgresql+psycopg://user:password@host:5432/dbname.
The researcher's page is http://HOST:PORT/admin?token=TOKEN, where TOKEN is
$REPLYLAB_ADMIN_TOKEN or a random token printed at start.

Behind a reverse proxy that serves HTTPS (Caddy, nginx), give --proxy-headers
(the client's address and https come from the proxy's X-Forwarded-For and
X-Forwarded-Proto, believed only from --forwarded-allow-ips, default this
machine) and --secure-cookies. GET /healthz answers 200 when the database
answers, 503 when not. On SIGTERM the server stops accepting connections,
finishes the requests in flight (up to --shutdown-timeout seconds) and exits
with code 0. docs/deploy.md walks through a real deployment.

example:
  replylab serve tilburg --port 8000
  REPLYLAB_ADMIN_TOKEN=... replylab serve study.yaml --db postgresql+psycopg://survey@db/survey
  replylab serve study.yaml --db postgresql+psycopg:///survey --workers 4 --proxy-headers --secure-cookies
"""

DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", metavar="STUDY",
                        help="a shipped study's name (e.g. tilburg) or the path of a study.yaml")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default sqlite:///replylab.db in this folder)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--secure-cookies", action="store_true",
                        help="mark cookies Secure (use when served over HTTPS via a proxy)")
    parser.add_argument("--store-ip", action="store_true",
                        help="keep participants' IP addresses (off by default; a study file can ask with store_ip: true)")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (default 1; 2 or more use more cores)")
    parser.add_argument("--proxy-headers", action="store_true",
                        help="behind a reverse proxy: take the client's address and scheme from "
                             "X-Forwarded-For/-Proto sent by a trusted proxy (--forwarded-allow-ips)")
    parser.add_argument("--forwarded-allow-ips", metavar="IPS", default=None,
                        help="comma-separated addresses or networks of trusted proxies "
                             f"(default {DEFAULT_TRUSTED_PROXIES}: a proxy on this machine); "
                             "implies --proxy-headers")
    parser.add_argument("--shutdown-timeout", metavar="SECONDS", type=int, default=10,
                        help="on SIGTERM, wait this long for requests in flight (default 10)")
    parser.add_argument("--study-file-changed", action="store_true",
                        help="serve a study file that differs from the one this database began "
                             "collecting data with (a deliberate change during data collection); "
                             "without it the server refuses to start once it holds participants")


def proxy_settings(args: argparse.Namespace) -> dict:
    """uvicorn's proxy options for ``args``: off unless asked for; trusted proxies checked.

    Without ``--proxy-headers`` (or ``--forwarded-allow-ips``) no ``X-Forwarded-*``
    header is believed, not even from this machine (uvicorn's own default would
    trust 127.0.0.1).

    Raises
    ------
    UserError
        If an entry of ``--forwarded-allow-ips`` is not an IP address or network.
    """
    if not (args.proxy_headers or args.forwarded_allow_ips):
        return {"proxy_headers": False}
    trusted = args.forwarded_allow_ips or DEFAULT_TRUSTED_PROXIES
    for entry in (part.strip() for part in trusted.split(",")):
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise UserError(f"--forwarded-allow-ips: {entry!r} is not an IP address or network; "
                            "give the proxy's addresses, e.g. 127.0.0.1,::1 or 10.0.0.0/8") from None
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def _exit_zero_after_sigterm() -> None:
    """Make SIGTERM end the process with exit code 0 once uvicorn has shut down.

    uvicorn catches SIGTERM, stops accepting connections and finishes the requests
    in flight; then it raises the signal again for the handler that was in place
    before it started, which is this one (the default would end the process with
    "killed by SIGTERM").
    """
    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the survey
    # server loads FastAPI, SQLAlchemy and uvicorn.
    import uvicorn

    from study.design.crosscheck import missing_for_serving
    from study.design.loader import load_study
    from study.survey.app import create_app
    from study.survey.db import SurveyDatabaseError
    from study.survey.supervisor import ClosingSupervisor

    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: choose a port between 1 and 65535")
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: give 1 or more")
    if args.shutdown_timeout < 0:
        raise UserError(f"--shutdown-timeout {args.shutdown_timeout}: give 0 or more seconds")
    proxy = proxy_settings(args)
    study = load_study(args.study)  # StudyFileError is a UserError: printed, exit code 2
    missing = missing_for_serving(study)
    if missing:
        raise UserError(f"study {study.id!r} is for analysis only (purpose: analysis) and cannot be served: "
                        f"it has no {', '.join(missing)}. Add them (see docs/study-file.md) and remove "
                        "'purpose: analysis'.")
    token = os.environ.get("REPLYLAB_ADMIN_TOKEN")
    try:
        app = create_app(study, args.db, admin_token=token, secure_cookies=args.secure_cookies,
                         store_ip=args.store_ip)
    except SurveyDatabaseError as error:
        raise UserError(str(error)) from error
    context = app.state.survey
    _check_study_file(study, context, accept=args.study_file_changed)
    base = f"http://{args.host}:{args.port}"
    print(f"replylab serve: study {study.id!r} ({', '.join(study.condition_names)}), "
          f"database {context.db}")
    print(f"  participants: {base}/")
    if token:
        print(f"  researcher:   {base}/admin?token=$REPLYLAB_ADMIN_TOKEN")
    else:
        print(f"  researcher:   {base}/admin?token={context.admin_token}")
    if proxy["proxy_headers"]:
        print(f"  behind a proxy: X-Forwarded-For/-Proto believed from {proxy['forwarded_allow_ips']}")
        if not args.secure_cookies:
            print("replylab serve: warning: --proxy-headers without --secure-cookies; behind an "
                  "HTTPS proxy add --secure-cookies so that browsers send the session cookie over "
                  "HTTPS only", file=sys.stderr)
    print("  stop with Ctrl+C", flush=True)
    server_options = dict(host=args.host, port=args.port, log_level="warning", access_log=False,
                          timeout_graceful_shutdown=args.shutdown_timeout, **proxy)
    if args.workers == 1:
        _exit_zero_after_sigterm()
        uvicorn.run(app, **server_options)
        return 0
    # every worker builds its own app (and engine) from these; tables already exist
    os.environ.update(
        REPLYLAB_SERVE_STUDY=str(study.path or args.study), REPLYLAB_SERVE_DB=args.db or "",
        REPLYLAB_ADMIN_TOKEN=context.admin_token,
        REPLYLAB_SERVE_SECURE_COOKIES="1" if args.secure_cookies else "0",
        REPLYLAB_SERVE_STORE_IP="1" if args.store_ip else "0",
    )
    context.db.close()
    # uvicorn's supervisor passes the proxy and shutdown options to every worker; on
    # SIGTERM it closes the listening socket, stops the workers (each finishes its
    # requests in flight) and returns
    config = uvicorn.Config("study.survey.asgi:app_from_environment", factory=True,
                            workers=args.workers, **server_options)
    ClosingSupervisor(config, sockets=[config.bind_socket()]).run()
    return 0


def _check_study_file(study, context, *, accept: bool) -> None:
    """Refuse a study file that changed since the database began collecting data with it,
    unless accepted; before the first participant a changed file is simply recorded."""
    before, now = context.served_file_hash, study.file_hash
    if not before or not now or before == now:
        return
    collected = len(context.db.participant_rows(study.id))
    if collected and not accept:
        context.db.close()
        raise UserError(
            f"the study file {study.path} has changed since this database began serving study "
            f"{study.id!r}, which already holds {collected} participant(s) (sha256 {before[:12]}... "
            f"then, {now[:12]}... now): answers collected under both versions would end up in one "
            "data set.\n"
            "If the change is deliberate (a typo fixed, a text made clearer), start again with "
            "--study-file-changed and note the change in your report; otherwise serve the earlier "
            "file, or start a new database with --db.")
    context.db.accept_study_file(study.id, now)
    if collected:
        print(f"replylab serve: the study file changed during data collection (sha256 {before[:12]}... "
              f"-> {now[:12]}...); serving the new one (--study-file-changed)", file=sys.stderr)
