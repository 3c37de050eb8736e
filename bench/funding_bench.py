"""Time the funding optimizer: 20,000 synthetic candidates, a $2,000,000 budget, $1,000 cost units.

Run by hand (`make bench`); prints one table with the median of several runs. The aim is under one second
(issue 6). `national_bench.py` runs the whole scenario (both passes and the look-ahead) on 20,000 towns' answers.
"""
from __future__ import annotations

import random

from benchlib import median, print_table, timed, verdict

from scoring.funding import Candidate, select

N, BUDGET, UNIT, RUNS = 20_000, 2_000_000, 1_000, 7


def synthetic(n: int, seed: int = 6) -> tuple[list[Candidate], list[int]]:
    """Candidates costing $5,000-$150,000 with priorities of 0-100 (in thousandths)."""
    rng = random.Random(seed)
    cands = [Candidate(f"Town {i:05d}", "town_hall", rng.randrange(5_000, 150_000, 100), "synthetic", "candidate")
             for i in range(n)]
    return cands, [rng.randrange(0, 100_000) for _ in range(n)]


def main() -> None:
    cands, points = synthetic(N)
    sel = select(cands, points, BUDGET, granularity=UNIT)
    times = timed(lambda: select(cands, points, BUDGET, granularity=UNIT), RUNS)
    print_table("Funding optimizer (exact 0/1 knapsack)", ["measure", "median", "fastest", "runs", "aim", ""],
                [[f"{N:,} candidates, ${BUDGET:,} budget, ${UNIT:,} units", f"{median(times):.3f} s",
                  f"{min(times):.3f} s", RUNS, "< 1 s", verdict(median(times), 1.0)]],
                [f"{len(sel.chosen)} chosen, ${sel.total_cost:,} spent, ${sel.left:,} left."])


if __name__ == "__main__":
    main()
