"""``replylab serve STUDY [--db URL] [--host 127.0.0.1] [--port 8000]``: run the web survey.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="replylab serve")
>>> add_arguments(parser)
>>> args = parser.parse_args(["tilburg", "--port", "8080"])
>>> args.host, args.port, args.db
('127.0.0.1', 8080, None)
"""

from __future__ import annotations

import argparse
import os

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

example:
  replylab serve tilburg --port 8000
  REPLYLAB_ADMIN_TOKEN=... replylab serve study.yaml --db postgresql+psycopg://survey@db/survey
"""


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


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs, not when ``replylab --help`` lists it: the survey
    # server loads FastAPI, SQLAlchemy and uvicorn.
    import uvicorn

    from study.design.crosscheck import missing_for_serving
    from study.design.loader import load_study
    from study.survey.app import create_app
    from study.survey.db import SurveyDatabaseError

    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: choose a port between 1 and 65535")
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
    base = f"http://{args.host}:{args.port}"
    print(f"replylab serve: study {study.id!r} ({', '.join(study.condition_names)}), "
          f"database {context.db}")
    print(f"  participants: {base}/")
    if token:
        print(f"  researcher:   {base}/admin?token=$REPLYLAB_ADMIN_TOKEN")
    else:
        print(f"  researcher:   {base}/admin?token={context.admin_token}")
    print("  stop with Ctrl+C", flush=True)
    if args.workers < 1:
        raise UserError(f"--workers {args.workers}: give 1 or more")
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                    access_log=False, timeout_graceful_shutdown=5)
        return 0
    # every worker builds its own app (and engine) from these; tables already exist
    os.environ.update(
        REPLYLAB_SERVE_STUDY=str(study.path or args.study), REPLYLAB_SERVE_DB=args.db or "",
        REPLYLAB_ADMIN_TOKEN=context.admin_token,
        REPLYLAB_SERVE_SECURE_COOKIES="1" if args.secure_cookies else "0",
        REPLYLAB_SERVE_STORE_IP="1" if args.store_ip else "0",
    )
    context.db.close()
    uvicorn.run("study.survey.asgi:app_from_environment", factory=True, workers=args.workers,
                host=args.host, port=args.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)
    return 0
