"""Benchmark: validate, join and describe 1,000,000 registrations.

Goal: validate + join + describe in <= 10 s with <= 2 GB peak memory, next to the floor: the time
plain pandas needs to read the same CSV. Each stage runs in its own process so its peak memory
(ru_maxrss) is its own.

    .venv/bin/python benchmarks/registrations.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_rows(n: int, target: Path) -> None:
    """n rows: the example's 733 clients repeated with fresh ids (every row stays valid)."""
    import numpy as np
    import pandas as pd

    base = pd.read_csv(REPO / "variables" / "registraties.csv", dtype=str, keep_default_na=False)
    reps = -(-n // len(base))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:n]
    big["client_id"] = np.char.add("B", np.arange(n).astype(str))
    big.to_csv(target, index=False)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage(name: str, csv: Path) -> dict[str, float]:
    """Run one stage in this process; returns seconds per step and the peak RSS."""
    sys.path.insert(0, str(REPO / "src"))
    import pandas as pd

    out: dict[str, float] = {}
    if name == "pandas_read":
        t, c = time.perf_counter(), time.process_time()
        pd.read_csv(csv)
        out["pandas_read"] = time.perf_counter() - t
        out["pandas_read cpu"] = time.process_time() - c
    else:
        from codeer.descriptives import individual_tables
        from codeer.join import join
        from codeer.project import Project
        from codeer.registrations import load_dictionary, read_registrations
        from codeer.variables import derive_variables

        derivation = derive_variables(Project(REPO), "a")  # independent of n; not timed
        d = load_dictionary(REPO / "variables" / "registraties.yaml")
        clock = [(time.perf_counter(), time.process_time())]
        reg = read_registrations(csv, d)
        clock.append((time.perf_counter(), time.process_time()))
        res = join(reg, derivation.table, d)
        clock.append((time.perf_counter(), time.process_time()))
        individual_tables(res.individual, res.value_labels)
        clock.append((time.perf_counter(), time.process_time()))
        for i, step in enumerate(("validate", "join", "describe")):
            out[step] = clock[i + 1][0] - clock[i][0]
            out[f"{step} cpu"] = clock[i + 1][1] - clock[i][1]
        out["total"] = clock[-1][0] - clock[0][0]
        out["total cpu"] = clock[-1][1] - clock[0][1]
        if name == "pipeline_write":
            from codeer.export import write_table

            with tempfile.TemporaryDirectory() as tmp:
                t4 = time.perf_counter()
                write_table(res.individual, Path(tmp) / "individueel.csv")
                out["write individueel.csv"] = time.perf_counter() - t4
    out["peak_mb"] = peak_mb()
    return out


def run_child(name: str, csv: Path) -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, __file__, "--stage", name, "--csv", str(csv)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated CSV here")
    parser.add_argument("--stage", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="also time writing individueel.csv")
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage(args.stage, args.csv)))
        return 0

    from rich.console import Console
    from rich.table import Table

    folder = args.keep or Path(tempfile.mkdtemp(prefix="codeer-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"registraties_{args.rows}.csv"
    if not csv.exists():
        make_rows(args.rows, csv)
    size_mb = csv.stat().st_size / 2**20
    floor = run_child("pandas_read", csv)
    pipe = run_child("pipeline_write" if args.write else "pipeline", csv)
    base = floor["pandas_read"]

    load = os.getloadavg()[0]
    title = f"registrations: {args.rows:,} rows, {size_mb:.0f} MB CSV"
    table = Table(title=f"{title} ({os.cpu_count()} cpus, load average {load:.1f})")
    table.add_column("step")
    table.add_column("wall s", justify="right")
    table.add_column("cpu s", justify="right")
    table.add_column("x read_csv (wall)", justify="right")
    table.add_column("peak RSS MB", justify="right")
    table.add_row(
        "pandas.read_csv (floor)",
        f"{base:.2f}",
        f"{floor['pandas_read cpu']:.2f}",
        "1.00",
        f"{floor['peak_mb']:.0f}",
    )
    for step in ("validate", "join", "describe", "total", "write individueel.csv"):
        if step in pipe:
            cpu = pipe.get(f"{step} cpu")
            table.add_row(
                step,
                f"{pipe[step]:.2f}",
                "" if cpu is None else f"{cpu:.2f}",
                f"{pipe[step] / base:.2f}",
                f"{pipe['peak_mb']:.0f}" if step == "total" else "",
            )
    ok = pipe["total"] <= 10 and pipe["peak_mb"] <= 2048
    Console().print(table)
    Console().print(
        f"goal (<= 10 s, <= 2048 MB for validate+join+describe): {'met' if ok else 'NOT met'}"
    )
    if args.keep is None:
        csv.unlink()
        folder.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
