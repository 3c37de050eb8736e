"""Time the funding optimizer: 20,000 synthetic candidates, a $2,000,000 budget, $1,000 cost units.

Run by hand (`make bench`); prints the median of several runs. The aim is under one second.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.funding import Candidate, select  # noqa: E402

N, BUDGET, UNIT, RUNS = 20_000, 2_000_000, 1_000, 7


def synthetic(n: int, seed: int = 6) -> tuple[list[Candidate], list[int]]:
    """Candidates costing $5,000-$150,000 with priorities of 0-100 (in thousandths)."""
    rng = random.Random(seed)
    cands = [Candidate(f"Town {i:05d}", "town_hall", rng.randrange(5_000, 150_000, 100), "synthetic", "candidate")
             for i in range(n)]
    return cands, [rng.randrange(0, 100_000) for _ in range(n)]


def main() -> None:
    cands, points = synthetic(N)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        sel = select(cands, points, BUDGET, granularity=UNIT)
        times.append(time.perf_counter() - start)
    print(f"funding optimizer: {N:,} candidates, ${BUDGET:,} budget, ${UNIT:,} units: "
          f"median {statistics.median(times):.3f} s over {RUNS} runs (min {min(times):.3f} s); "
          f"{len(sel.chosen)} chosen, ${sel.total_cost:,} spent, ${sel.left:,} left")


if __name__ == "__main__":
    main()
