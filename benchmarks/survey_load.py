"""Load benchmark of the web survey: a study launch, then saturation with a crash.

Starts the real server (``replylab serve`` in a child process, uvicorn, SQLite
in WAL mode) and sends simulated participants through the whole flow over
HTTP with httpx (async), the load generator on the same machine.

1. Paced run: ``--participants`` (200) arrive within ``--arrival`` (10) seconds,
   as after a Prolific launch, and pause 1-3 s on every page.
2. Saturation run (fresh database): the same number with no pauses and at
   most ``--concurrency`` in flight; part-way through, the server is killed with
   SIGKILL and restarted; participants resume from their cookie.

For each run it prints pages per second, p50/p95/p99 page latency, answers
sent versus answers exported (every answer the server acknowledged must be in
the export with the same value) and the final counts per condition. The
vignette's minimum viewing time is set to 0 in a copy of the study file (the
pauses stand in for reading).

Targets (2 cores, generator included): p95 < 100 ms in the paced run, nothing
lost in either run, condition counts within one.

    python benchmarks/survey_load.py                  # 200 participants
    python benchmarks/survey_load.py --participants 50 --arrival 5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from study import load_study  # noqa: E402
from study.survey.export import build_export_table  # noqa: E402
from study.survey.bot import walk  # noqa: E402
from study.survey.db import SurveyDatabase  # noqa: E402
from study.survey.server_process import SurveyServerProcess, write_study_variant  # noqa: E402


async def run_participants(server, study, *, n, arrival, pause, concurrency, seed,
                           kill_after_pages=None):
    """Send ``n`` bots through the survey; optionally SIGKILL + restart the server mid-run."""
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.uniform(0, arrival, n)) if arrival > 0 else np.zeros(n)
    gate = asyncio.Semaphore(concurrency)
    # Each bot has its own client, cookie jar and one keep-alive connection, like a browser.
    # The TLS context is built once and shared: building one per client costs the load
    # generator ~10 ms of CPU per arrival; one pool shared by all bots makes httpx's pool
    # bookkeeping grow with the number of connections (both showed up as "latency").
    tls = ssl.create_default_context()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    progress = {"pages": 0, "killed_at": None, "restart_seconds": None}

    async def participant(i):
        await asyncio.sleep(float(arrivals[i]))
        async with gate:
            transport = httpx.AsyncHTTPTransport(verify=tls, limits=limits)
            async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                         transport=transport) as client:
                run = await walk(client, study, lang=("nl", "en")[i % 2], seed=seed * 1000 + i,
                                 pause=pause, max_retries=2000,
                                 query={"PROLIFIC_PID": f"p{seed}x{i:04d}"})
                progress["pages"] += run.pages
                return run, client.cookies["replylab_session"]

    async def killer():
        while sum(1 for t in tasks if not t.done()) and progress["pages"] < kill_after_pages:
            await asyncio.sleep(0.02)
        if all(t.done() for t in tasks):
            return
        progress["killed_at"] = progress["pages"]
        server.kill()
        started = time.perf_counter()
        await asyncio.to_thread(server.start)
        progress["restart_seconds"] = time.perf_counter() - started

    start = time.perf_counter()
    tasks = [asyncio.create_task(participant(i)) for i in range(n)]
    killer_task = asyncio.create_task(killer()) if kill_after_pages else None
    results = await asyncio.gather(*tasks)
    if killer_task:
        await killer_task
    return results, time.perf_counter() - start, progress


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
    print(f"\n== {name} ==")
    print(f"participants {len(results)}, requests {pages} in {seconds:.1f} s "
          f"-> {pages / seconds:.1f} pages/s")
    print(f"page latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {latencies.max():.1f}")
    if progress.get("killed_at") is not None:
        print(f"SIGKILL after {progress['killed_at']} requests; restart took "
              f"{progress['restart_seconds']:.2f} s; bot retries "
              f"{sum(run.retries for run, _ in results)}")
    print(f"answers acknowledged {acknowledged}, exported with the same value {exported}, "
          f"lost {lost}")
    print(f"completes per condition {counts} (spread {spread}); assignments {n_assigned}")
    return {"p95": p95, "lost": lost, "spread": spread, "pages_per_second": pages / seconds}


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
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} cores, load average before the run "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work shares these cores); "
          f"server workers: {args.workers}")
    with tempfile.TemporaryDirectory(prefix="replylab-load-") as tmp:
        tmp = Path(tmp)
        study_file = write_study_variant(load_study(args.study), tmp, min_view_seconds=0)
        study = load_study(study_file)
        outcomes = {}
        if not args.skip_paced:
            db_url = f"sqlite:///{tmp / 'paced.db'}"
            with SurveyServerProcess(study_file, db_url, log_path=tmp / "paced.log",
                                     workers=args.workers) as server:
                results, seconds, progress = asyncio.run(run_participants(
                    server, study, n=args.participants, arrival=args.arrival, pause=(1.0, 3.0),
                    concurrency=args.participants, seed=args.seed))
            outcomes["paced"] = report("paced run (arrivals within "
                                       f"{args.arrival:g} s, 1-3 s per page)", results, seconds,
                                       progress, check_export(db_url, study, results))
        if not args.skip_saturation:
            db_url = f"sqlite:///{tmp / 'saturation.db'}"
            server = SurveyServerProcess(study_file, db_url, log_path=tmp / "saturation.log",
                                         workers=args.workers)
            server.start()
            try:
                pages_expected = args.participants * (len(study.questionnaire.pages) * 2 + 6)
                results, seconds, progress = asyncio.run(run_participants(
                    server, study, n=args.participants, arrival=0.0, pause=(0.0, 0.0),
                    concurrency=args.concurrency, seed=args.seed + 1,
                    kill_after_pages=pages_expected // 3))
            finally:
                server.stop()
            outcomes["saturation"] = report("saturation run (no pauses, SIGKILL + restart)",
                                            results, seconds, progress,
                                            check_export(db_url, study, results))
    failed = [f"{name}: {what}" for name, o in outcomes.items() for what, bad in (
        ("answers lost", o["lost"] > 0), ("counts differ by more than one", o["spread"] > 1))
        if bad]
    if "paced" in outcomes and outcomes["paced"]["p95"] >= 100:
        failed.append(f"paced: p95 {outcomes['paced']['p95']:.0f} ms >= 100 ms")
    print("\nTargets:", "all met" if not failed else "MISSED: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
