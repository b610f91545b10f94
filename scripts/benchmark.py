"""
Benchmarks: medians of repeated runs, each beside a naive way measured in the same run
======================================================================================

Runs every ``scripts/benchmarks/<topic>.py`` module's ``run(repeat)`` and
prints one table. Each row: what was timed, its median, the target, the naive
way's median and the ratio naive / brainview.

    python scripts/benchmark.py                 # everything, 5 repeats
    python scripts/benchmark.py --only core --repeat 3
    python scripts/benchmark.py --json results.json
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

TOPICS = Path(__file__).resolve().parent / "benchmarks"


def load_topic(path):
    spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def format_row(topic, row):
    median, target = row["median_s"], row.get("target_s")
    verdict = "" if target is None else ("ok" if median <= target else "MISSED")
    naive = row.get("naive_median_s")
    ratio = f"{naive / median:6.1f}x" if naive else "      "
    naive_text = f"{naive:8.3f} s" if naive else " " * 10
    target_text = f"{target:6.2f} s" if target is not None else " " * 8
    return (f"{topic:<10} {row['name']:<34} {median:8.3f} s  {target_text} {verdict:<6} "
            f"{naive_text} {ratio}  {row.get('naive') or ''}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", action="append", help="topic(s) to run (file stem in benchmarks/)")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    paths = sorted(p for p in TOPICS.glob("*.py") if not p.name.startswith("_"))
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    print(f"{'topic':<10} {'measurement':<34} {'median':>10}  {'target':>8} {'':<6} {'naive':>10} {'ratio':>7}")
    results = []
    for path in paths:
        for row in load_topic(path).run(args.repeat):
            row["topic"] = path.stem
            results.append(row)
            print(format_row(path.stem, row), flush=True)
            if row.get("note"):
                print(f"{'':<11}  {row['note']}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    missed = [r["name"] for r in results if r.get("target_s") is not None and r["median_s"] > r["target_s"]]
    print(f"\n{len(results)} measurements, {len(missed)} over target" + (f": {', '.join(missed)}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
