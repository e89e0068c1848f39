"""`pos bench [METRIC...]`: speed runs, one JSON object per line.

Each object: {"metric", "unit", "median", "p99", "n", "setup", "baseline", "baseline_median",
"ratio"}: the baseline is a simpler run measured in the same process, so the ratio says how
much the real case costs over it on whatever machine this runs.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.camera import camera_decode_frame
from benchmarks.faces import face_identify_100k
from benchmarks.payment_overhead import payment_overhead
from benchmarks.pricing import reprice_200_lines_500_promos, reprice_at
from benchmarks.scan import scan_to_total
from benchmarks.startup import startup_to_window


@dataclass(frozen=True, slots=True)
class Result:
    metric: str
    samples_ms: list[float]
    setup: str
    baseline: str
    baseline_ms: list[float]

    def as_json(self) -> str:
        median = statistics.median(self.samples_ms)
        base = statistics.median(self.baseline_ms)
        return json.dumps({
            "metric": self.metric, "unit": "ms", "median": round(median, 4),
            "p99": round(percentile(self.samples_ms, 99), 4), "n": len(self.samples_ms),
            "setup": self.setup, "baseline": self.baseline,
            "baseline_median": round(base, 4), "ratio": round(median / base, 3) if base else None,
        }, ensure_ascii=False)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


METRICS: dict[str, Callable[[], Result]] = {
    "scan_to_total": lambda: Result(*scan_to_total()),
    "startup_to_window": lambda: Result(*startup_to_window()),
    "camera_decode_frame": lambda: Result(*camera_decode_frame()),
    "face_identify_100k": lambda: Result(*face_identify_100k()),
    "payment_overhead": lambda: Result(*payment_overhead()),
    "reprice_200_lines_500_promos": lambda: Result(*reprice_200_lines_500_promos()),
    "reprice_200_lines_10_promos": lambda: Result(*reprice_at(10)),
    "reprice_200_lines_100_promos": lambda: Result(*reprice_at(100)),
    "reprice_200_lines_1000_promos": lambda: Result(*reprice_at(1_000)),
}


def run_benchmarks(names: list[str]) -> int:
    unknown = [name for name in names if name not in METRICS]
    if unknown:
        print(f"unknown metric {unknown[0]}; known: {', '.join(METRICS)}", file=sys.stderr)
        return 2
    for name in names or list(METRICS):
        print(METRICS[name]().as_json(), flush=True)
    return 0
