"""
Benchmarks: medians of repeated runs, each beside a naive way measured in the same run
======================================================================================

Runs every ``scripts/benchmarks/<topic>.py`` module's ``run(repeat)``, each
topic in a fresh Python process (one topic's memory, caches and imports must
not slow or speed the next), and prints one table. Each row: what was timed,
its median, the target, the naive way's median and the ratio naive / brainview.

    python scripts/benchmark.py                 # everything, 5 repeats
    python scripts/benchmark.py --only core --repeat 3
    python scripts/benchmark.py --json results.json
"""

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
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


def _run_in_fresh_process(path, repeat):
    with tempfile.TemporaryDirectory() as folder:
        rows_file = Path(folder) / "rows.json"
        command = [sys.executable, __file__, "--in-process", "--only", path.stem, "--repeat", str(repeat),
                   "--json", str(rows_file)]
        completed = subprocess.run(command, check=False)
        if completed.returncode != 0 or not rows_file.exists():
            print(f"{path.stem:<10} failed (exit status {completed.returncode})", flush=True)
            return []
        return json.loads(rows_file.read_text())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", action="append", help="topic(s) to run (file stem in benchmarks/)")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # one topic's child
    args = parser.parse_args(argv)
    paths = sorted(p for p in TOPICS.glob("*.py") if not p.name.startswith("_"))
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    if not args.in_process:
        print(f"{'topic':<10} {'measurement':<34} {'median':>10}  {'target':>8} {'':<6} {'naive':>10} {'ratio':>7}")
    results = []
    for path in paths:
        rows = load_topic(path).run(args.repeat) if args.in_process else _run_in_fresh_process(path, args.repeat)
        for row in rows:
            row["topic"] = path.stem
            results.append(row)
            if not args.in_process:
                print(format_row(path.stem, row), flush=True)
                if row.get("note"):
                    print(f"{'':<11}  {row['note']}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if args.in_process:
        return 0
    missed = [r["name"] for r in results if r.get("target_s") is not None and r["median_s"] > r["target_s"]]
    print(f"\n{len(results)} measurements, {len(missed)} over target" + (f": {', '.join(missed)}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
