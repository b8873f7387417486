#!/usr/bin/env python3
"""The load and fault suite, against the production-like stack (scripts/prodstack.py).

    python3 loadtest/run.py                       # all four scenarios
    python3 loadtest/run.py rush checkin          # some of them: rush, checkin, workers, dbrestart
    python3 loadtest/run.py --clients 400         # more people in the registration rush

Starts the stack if it is not running (and stops it again at the end), runs the scenarios,
prints a table (scenario, requests, errors, lost, duplicated, throughput, p50/p95/p99) and
exits non-zero when any error, lost or duplicated item was seen. The database restart
scenario restarts the local PostgreSQL server (pg_ctlcluster), so run it on a machine where
that is fine. Not part of the fast test suite.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def table(rows) -> str:
    header = ("scenario", "requests", "errors", "lost", "duplicated", "req/s", "p50 ms", "p95 ms", "p99 ms")
    lines = [header]
    for row in rows:
        tally = row.tally
        lines.append(
            (
                row.scenario,
                str(tally.requests),
                str(row.errors),
                str(row.lost),
                str(row.duplicated),
                f"{tally.throughput():.0f}",
                f"{tally.percentile(0.50):.0f}",
                f"{tally.percentile(0.95):.0f}",
                f"{tally.percentile(0.99):.0f}",
            )
        )
    widths = [max(len(line[index]) for line in lines) for index in range(len(header))]
    rendered = []
    for number, line in enumerate(lines):
        cells = [
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        rendered.append("| " + " | ".join(cells) + " |")
        if number == 0:
            rendered.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(rendered)


def main() -> int:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and PYTHON.exists():
        os.execv(str(PYTHON), [str(PYTHON), __file__, *sys.argv[1:]])
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "scripts"))
    import prodstack

    from loadtest import scenarios as suite_names  # noqa: F401 - checks the package imports before starting

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help="rush, checkin, workers, dbrestart (default: all)")
    parser.add_argument("--clients", type=int, default=300, help="people in the registration rush")
    parser.add_argument("--tickets", type=int, default=2000, help="tickets in the check-in storm")
    parser.add_argument("--messages", type=int, default=5000, help="messages in the worker-fault fan-out")
    args = parser.parse_args()
    chosen = args.scenarios or ["rush", "checkin", "workers", "dbrestart"]
    unknown = set(chosen) - {"rush", "checkin", "workers", "dbrestart"}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    started_here = False
    state = prodstack.load_state()
    if not state or not all(prodstack.alive(pid) for pid in state["processes"].values()):
        if state:
            prodstack.stop([])
        if prodstack.start([]) != 0:
            return 1
        started_here = True
    try:
        os.environ.update(prodstack.load_state()["env"])
        os.environ["DJANGO_SETTINGS_MODULE"] = "events_project.settings"
        os.environ["LOG_LEVEL"] = "WARNING"  # the runner itself: only problems
        import django

        django.setup()
        from loadtest import scenarios

        options = {
            "rush": {"clients": args.clients},
            "checkin": {"tickets": args.tickets},
            "workers": {"messages": args.messages},
            "dbrestart": {},
        }
        rows = []
        for name in chosen:
            print(f"==> {name} ...", flush=True)
            began = time.monotonic()
            row = scenarios.SCENARIOS[name](**options[name])
            rows.append(row)
            print(
                f"    {'ok' if row.ok else 'FAILED'} in {time.monotonic() - began:.0f}s: {'; '.join(row.notes)}",
                flush=True,
            )
        print()
        print(table(rows))
        return 0 if all(row.ok for row in rows) else 1
    finally:
        if started_here:
            prodstack.stop([])


if __name__ == "__main__":
    sys.exit(main())
