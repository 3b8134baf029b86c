"""Run every Convene benchmark and print each figure beside its baseline from the same run.

Usage: ``.venv/bin/python bench/run.py [--quick] [name ...]`` (names: agenda, editor, badges,
payments, registration, hoarding, dashboard, checkin, day_pages, congress_day). These machines
are noisy: compare the ratios, not the seconds. ``congress_day`` (the whole site under Locust)
also takes ``--duration SECONDS``, ``--users N`` and ``--workers N``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = (
    "registration",
    "payments",
    "agenda",
    "editor",
    "badges",
    "hoarding",
    "dashboard",
    "checkin",
    "day_pages",
    "congress_day",
)


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(BENCHES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--duration", type=int, help="congress_day: seconds of load (60)")
    parser.add_argument("--users", type=int, help="congress_day: simulated clients (400)")
    parser.add_argument("--workers", type=int, help="congress_day: gunicorn workers (4)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    sys.path.insert(0, str(ROOT))
    failures = 0
    for name in args.names or BENCHES:
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        try:
            # Load by path under a distinct name: bench/badges.py must not shadow the app.
            spec = importlib.util.spec_from_file_location(
                f"bench_{name}", ROOT / "bench" / f"{name}.py"
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            options = {"quick": args.quick}
            if name == "congress_day":
                options.update(
                    {
                        key: value
                        for key in ("duration", "users", "workers")
                        if (value := getattr(args, key)) is not None
                    }
                )
            rows = module.main(**options)
        except Exception as exc:  # report and go on with the other benchmarks
            failures += 1
            print(f"  FAILED: {exc!r}")
            continue
        for row in rows:
            print("  " + "  ".join(f"{key}={_format(value)}" for key, value in row.items()))
        print(f"  ({time.monotonic() - started:.1f}s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
