"""The whole benchmark suite: plans (full, quick), running each scenario, the table."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import audio_costs
from bench.report import Row, at_most, markdown, row
from bench.rows import all_rows

ROOT = Path(__file__).resolve().parents[1]
Plan = dict[str, dict[str, Any]]

FULL: Plan = {
    "overhead": {"turns": 40, "spread_s": 40.0},
    "concurrency": {"candidates": 500, "spread_s": 3.0, "deadline_s": 150.0},
    "concurrency_2000": {"candidates": 2000, "spread_s": 5.0, "deadline_s": 150.0},
    "cpu": {"turns": 50},
    "echo": {"one_by_one": 200, "burst": 500},
    "streaming": {"turns": 3},
    "data": {"accounts": 10_000, "turns": 200},
}
QUICK: Plan = {
    "overhead": {"turns": 4, "spread_s": 1.0, "scale": 0.1},
    "concurrency": {"candidates": 30, "spread_s": 1.0, "scale": 0.1, "deadline_s": 30.0},
    "concurrency_2000": {"candidates": 60, "spread_s": 1.0, "scale": 0.1, "deadline_s": 30.0},
    "cpu": {"turns": 4},
    "echo": {"one_by_one": 10, "burst": 30},
    "streaming": {"turns": 1, "scale": 0.1},
    "data": {"accounts": 30, "turns": 10},
}


def run_scenario(name: str, params: dict[str, Any], *, isolated: bool) -> dict[str, Any]:
    """One scenario's figures: in a fresh process (full run) or in this one (quick run)."""
    scenario = name.removesuffix("_2000")
    if not isolated:
        from bench.scenarios import load

        try:
            return asyncio.run(load(scenario)(**params))
        except Exception as exc:  # one broken scenario must not hide the others' figures
            return {"error": f"{type(exc).__name__}: {exc}"}
    command = [sys.executable, "-m", "bench.scenarios", scenario, json.dumps(params)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return dict(json.loads(lines[-1]))


def run_all(
    plan: Plan, *, isolated: bool, audio_runs: int = audio_costs.RUNS, audio_encodes: int = 32
) -> tuple[list[Row], str]:
    """Run every scenario of `plan` and the audio costs; the rows and the Markdown report."""
    started = time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    for name, params in plan.items():
        print(f"running {name} {params} ...", file=sys.stderr, flush=True)
        began = time.monotonic()
        results[name] = run_scenario(name, params, isolated=isolated)
        print(f"  {name}: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    print("running audio ...", file=sys.stderr, flush=True)
    audio = audio_costs.main(runs=audio_runs, encodes=audio_encodes)
    rows, notes = all_rows(results, audio, plan)
    if any("scale" in params for params in plan.values()):
        notes.append("quick run: provider latencies scaled as in each row's plan (scale)")
    budget = 600 if isolated else 60  # make bench <= 10 min, make bench-quick <= 60 s
    rows.append(row("whole run", "duration (s)", time.monotonic() - started, at_most(budget)))
    text = markdown(rows, title="interview-coach benchmarks", notes=notes)
    return rows, text
