"""Load benchmark of the web survey: a study launch, then saturation with a crash.

Starts the real server (``replylab serve`` in a child process, uvicorn) and
sends simulated participants through the whole flow over HTTP, the load
generator on the same machine. Each participant is a bot
(:func:`study.survey.bot.walk`) with its own cookie jar and keep-alive
connection, like a browser; the client is aiohttp (``--client httpx`` for the
slower httpx, whose CPU per request was the generator's own limit).

1. Paced run: ``--participants`` (200) arrive within ``--arrival`` (10) seconds,
   as after a Prolific launch, and pause 1-3 s on every page.
2. Saturation run (fresh database): the same number with no pauses and at
   most ``--concurrency`` in flight; part-way through, the server is killed with
   SIGKILL and restarted; participants resume from their cookie.

Both runs are made for each configuration: SQLite with one worker, and
PostgreSQL with ``--workers`` 2 when ``--postgres URL`` (or
``$REPLYLAB_TEST_POSTGRES_URL``) names a database it may wipe. For each run it
prints pages per second, p50/p95/p99 page latency, the server's CPU time per
page (user + system time of the server's processes, read from /proc), answers
sent versus answers exported (every answer the server acknowledged must be in
the export with the same value) and the final counts per condition. The
vignette's minimum viewing time is set to 0 in a copy of the study file (the
pauses stand in for reading).

Targets (2 cores, generator included): paced p95 < 50 ms, saturation >= 400
pages/s, server CPU <= 1.5 ms per page, nothing lost in any run, condition
counts within one.

    python benchmarks/survey_load.py                  # 200 participants
    python benchmarks/survey_load.py --participants 50 --arrival 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from study import load_study  # noqa: E402
from study.survey.bot import walk  # noqa: E402
from study.survey.db import SurveyDatabase  # noqa: E402
from study.survey.export import build_export_table  # noqa: E402
from study.survey.server_process import SurveyServerProcess, write_study_variant  # noqa: E402
from study.survey.sessions import SESSION_COOKIE  # noqa: E402
from study.survey.tables import metadata  # noqa: E402

TARGETS = {"paced_p95_ms": 50.0, "saturation_pages_per_second": 400.0, "cpu_ms_per_page": 1.5}


@dataclass
class Response:
    """What the bot reads of a response (the shape of httpx's)."""

    status_code: int
    text: str
    headers: dict


class AiohttpBrowser:
    """One participant's browser on aiohttp: a cookie jar and one keep-alive connection,
    behind the ``request(method, url, params=, data=)`` the bot calls."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies from 127.0.0.1
            connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=30))

    async def request(self, method, url, *, params=None, data=None):
        try:
            async with self.session.request(method, self.base_url + url, params=params, data=data,
                                            allow_redirects=False) as response:
                return Response(response.status, await response.text(), response.headers.copy())
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as error:
            raise httpx.TransportError(str(error)) from error  # the bot resumes on these

    def session_token(self) -> str:
        return next(c.value for c in self.session.cookie_jar if c.key == SESSION_COOKIE)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.session.close()


class HttpxBrowser(httpx.AsyncClient):
    """The same on httpx."""

    def __init__(self, base_url: str):
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        super().__init__(base_url=base_url, timeout=30,
                         transport=httpx.AsyncHTTPTransport(limits=limits))

    def session_token(self) -> str:
        return self.cookies[SESSION_COOKIE]


BROWSERS = {"aiohttp": AiohttpBrowser, "httpx": HttpxBrowser}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` and its children (uvicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [int(entry.name) for entry in Path("/proc").iterdir()
                    if entry.name.isdigit() and _parent(entry) == pid]
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _parent(entry: Path) -> int:
    try:
        return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


async def run_participants(server, study, *, n, arrival, pause, concurrency, seed, browser,
                           kill_after_pages=None):
    """Send ``n`` bots through the survey; optionally SIGKILL + restart the server mid-run."""
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.uniform(0, arrival, n)) if arrival > 0 else np.zeros(n)
    gate = asyncio.Semaphore(concurrency)
    progress = {"pages": 0, "killed_at": None, "restart_seconds": None, "cpu_before_kill": 0.0}

    async def participant(i):
        await asyncio.sleep(float(arrivals[i]))
        async with gate, browser(server.url) as client:
            run = await walk(client, study, lang=("nl", "en")[i % 2], seed=seed * 1000 + i,
                             pause=pause, max_retries=2000,
                             query={"PROLIFIC_PID": f"p{seed}x{i:04d}"})
            progress["pages"] += run.pages
            return run, client.session_token()

    async def killer():
        while sum(1 for t in tasks if not t.done()) and progress["pages"] < kill_after_pages:
            await asyncio.sleep(0.02)
        if all(t.done() for t in tasks):
            return
        progress["killed_at"] = progress["pages"]
        progress["cpu_before_kill"] = cpu_seconds(server.process.pid) - cpu_start
        server.kill()
        started = time.perf_counter()
        await asyncio.to_thread(server.start)
        progress["restart_seconds"] = time.perf_counter() - started
        progress["cpu_at_restart"] = cpu_seconds(server.process.pid)  # start-up is not page work

    cpu_start = cpu_seconds(server.process.pid)
    start = time.perf_counter()
    tasks = [asyncio.create_task(participant(i)) for i in range(n)]
    killer_task = asyncio.create_task(killer()) if kill_after_pages else None
    results = await asyncio.gather(*tasks)
    if killer_task:
        await killer_task
    seconds = time.perf_counter() - start
    if progress["killed_at"] is None:
        progress["cpu_seconds"] = cpu_seconds(server.process.pid) - cpu_start
    else:  # the first server's time up to the kill, then the restarted one's since it listens
        progress["cpu_seconds"] = (progress["cpu_before_kill"] + cpu_seconds(server.process.pid)
                                   - progress["cpu_at_restart"])
    return results, seconds, progress


def check_export(db_url, study, results):
    """Answers acknowledged vs exported, lost answers, counts per condition."""
    db = SurveyDatabase(db_url)
    data = build_export_table(db, study, include_partial=True).set_index("participant_id")
    acknowledged = exported = lost = 0
    for run, token in results:
        participant = db.participant_by_session(token)
        row = data.loc[participant["participant_id"]]
        for item_id, value in run.committed.items():
            acknowledged += 1
            if row[item_id] == value:
                exported += 1
            else:
                lost += 1
    counts = data[data["status"] == "complete"]["condition"].value_counts().to_dict()
    n_assigned = db.study_row(study.id)["n_assigned"]
    db.close()
    return acknowledged, exported, lost, counts, n_assigned


def report(name, results, seconds, progress, check):
    latencies = np.concatenate([np.asarray(run.latencies) for run, _ in results]) * 1000
    pages = sum(run.pages for run, _ in results)
    acknowledged, exported, lost, counts, n_assigned = check
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    spread = max(counts.values()) - min(counts.values()) if counts else 0
    cpu_ms = 1000 * progress["cpu_seconds"] / pages
    print(f"\n== {name} ==")
    print(f"participants {len(results)}, requests {pages} in {seconds:.1f} s "
          f"-> {pages / seconds:.1f} pages/s")
    print(f"page latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {latencies.max():.1f}")
    print(f"server CPU: {progress['cpu_seconds']:.2f} s for {pages} pages -> {cpu_ms:.2f} ms per page")
    if progress.get("killed_at") is not None:
        print(f"SIGKILL after {progress['killed_at']} requests; restart took "
              f"{progress['restart_seconds']:.2f} s; bot retries "
              f"{sum(run.retries for run, _ in results)}")
    print(f"answers acknowledged {acknowledged}, exported with the same value {exported}, "
          f"lost {lost}")
    print(f"completes per condition {counts} (spread {spread}); assignments {n_assigned}")
    return {"p95": p95, "lost": lost, "spread": spread, "pages_per_second": pages / seconds,
            "cpu_ms": cpu_ms}


def fresh_database(url: str, tmp: Path, name: str) -> str:
    """A URL of an empty survey database: a new SQLite file, or the PostgreSQL one wiped."""
    if url == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    db = SurveyDatabase(url)
    metadata.drop_all(db.engine)
    db.close()
    return url


def run_configuration(label, db, workers, study_file, study, args, tmp, browser):
    outcomes = {}
    if not args.skip_paced:
        db_url = fresh_database(db, tmp, f"{label}-paced")
        with SurveyServerProcess(study_file, db_url, log_path=tmp / f"{label}-paced.log",
                                 workers=workers) as server:
            results, seconds, progress = asyncio.run(run_participants(
                server, study, n=args.participants, arrival=args.arrival, pause=(1.0, 3.0),
                concurrency=args.participants, seed=args.seed, browser=browser))
        outcomes["paced"] = report(f"{label}: paced run (arrivals within {args.arrival:g} s, "
                                   "1-3 s per page)", results, seconds, progress,
                                   check_export(db_url, study, results))
    if not args.skip_saturation:
        db_url = fresh_database(db, tmp, f"{label}-saturation")
        server = SurveyServerProcess(study_file, db_url, log_path=tmp / f"{label}-saturation.log",
                                     workers=workers)
        server.start()
        try:
            pages_expected = args.participants * (len(study.questionnaire.pages) * 2 + 6)
            results, seconds, progress = asyncio.run(run_participants(
                server, study, n=args.participants, arrival=0.0, pause=(0.0, 0.0),
                concurrency=args.concurrency, seed=args.seed + 1, browser=browser,
                kill_after_pages=pages_expected // 3))
        finally:
            server.stop()
        outcomes["saturation"] = report(f"{label}: saturation run (no pauses, SIGKILL + restart)",
                                        results, seconds, progress,
                                        check_export(db_url, study, results))
    return outcomes


def missed_targets(label, outcomes) -> list[str]:
    missed = [f"{label} {name}: {what}" for name, o in outcomes.items() for what, bad in (
        ("answers lost", o["lost"] > 0), ("counts differ by more than one", o["spread"] > 1),
        (f"server CPU {o['cpu_ms']:.2f} ms per page > {TARGETS['cpu_ms_per_page']}",
         o["cpu_ms"] > TARGETS["cpu_ms_per_page"])) if bad]
    if "paced" in outcomes and outcomes["paced"]["p95"] >= TARGETS["paced_p95_ms"]:
        missed.append(f"{label} paced: p95 {outcomes['paced']['p95']:.0f} ms >= "
                      f"{TARGETS['paced_p95_ms']:g} ms")
    rate = outcomes.get("saturation", {}).get("pages_per_second")
    if rate is not None and rate < TARGETS["saturation_pages_per_second"]:
        missed.append(f"{label} saturation: {rate:.0f} pages/s < "
                      f"{TARGETS['saturation_pages_per_second']:g}")
    return missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", default="tilburg")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--arrival", type=float, default=10.0, help="seconds over which they arrive")
    parser.add_argument("--concurrency", type=int, default=64,
                        help="participants in flight at once in the saturation run")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--skip-paced", action="store_true")
    parser.add_argument("--skip-saturation", action="store_true")
    parser.add_argument("--workers", type=int, default=2,
                        help="uvicorn worker processes of the PostgreSQL configuration (default 2)")
    parser.add_argument("--postgres", metavar="URL",
                        default=os.environ.get("REPLYLAB_TEST_POSTGRES_URL"),
                        help="a PostgreSQL database the benchmark may wipe "
                             "(default $REPLYLAB_TEST_POSTGRES_URL; none: SQLite only)")
    parser.add_argument("--client", choices=sorted(BROWSERS), default="aiohttp",
                        help="the load generator's HTTP client (default aiohttp)")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, load average before the run "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares these cores); "
          f"client: {args.client}")
    configurations = [("SQLite, 1 worker", "sqlite", 1)]
    if args.postgres:
        configurations.append((f"PostgreSQL, {args.workers} workers", args.postgres, args.workers))
    else:
        print("(no PostgreSQL URL: the PostgreSQL configuration is left out)")
    missed = []
    with tempfile.TemporaryDirectory(prefix="replylab-load-") as tmp:
        tmp = Path(tmp)
        study_file = write_study_variant(load_study(args.study), tmp, min_view_seconds=0)
        study = load_study(study_file)
        for label, db, workers in configurations:
            outcomes = run_configuration(label, db, workers, study_file, study, args, tmp,
                                         BROWSERS[args.client])
            missed += missed_targets(label, outcomes)
    print("\nTargets (paced p95 < 50 ms, saturation >= 400 pages/s, server CPU <= 1.5 ms/page, "
          "nothing lost, counts within one):", "all met" if not missed else "MISSED: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
