"""Pick-route benchmark (issue 8): time of the exact optimum, and how much shorter it is than the
S-shape and largest-gap heuristics on seeded random pick lists; on a 3-block layout, the mean length
of the multi-block heuristics and of their best. Prints figures; asserts nothing.

    .venv/bin/python bench/routing.py [--lists 1000]
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sihe.wms.routing import (  # noqa: E402
    MULTI_BLOCK_METHODS,
    Layout,
    Pick,
    largest_gap_route,
    optimal_route,
    plan_route,
    s_shape_route,
)


def random_picks(rng: random.Random, layout: Layout, n: int) -> list[Pick]:
    return [Pick(rng.randrange(layout.aisles), rng.randrange(layout.slots_per_aisle), rng.choice("LR")) for _ in range(n)]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lists", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (timings grow with it; min is the steadiest)")
    print("\n== time to compute the optimal route (Ratliff–Rosenthal), 20 seeded pick lists each ==")
    print(f"{'aisles':>6} {'picks':>6} {'median ms':>10} {'min ms':>10}")
    for aisles in (10, 50):
        layout = Layout(aisles=aisles, slots_per_aisle=30, depot_aisle=0)
        for n in (10, 30, 100):
            rng = random.Random(aisles * 1000 + n)
            runs = []
            for _ in range(20):
                picks = random_picks(rng, layout, n)
                start = time.perf_counter()
                optimal_route(layout, picks)
                runs.append((time.perf_counter() - start) * 1000)
            print(f"{aisles:>6} {n:>6} {statistics.median(runs):>10.2f} {min(runs):>10.2f}")
    print(f"\n== mean route length on {args.lists} seeded random lists (10 aisles × 30 slots, depot at aisle 0) ==")
    print(f"{'picks':>5} {'optimal m':>10} {'S-shape m':>10} {'saved':>7} {'largest gap m':>14} {'saved':>7}")
    layout = Layout(aisles=10, slots_per_aisle=30, depot_aisle=0)
    for n in (10, 30):
        rng = random.Random(n)
        totals = {"optimal": Decimal(0), "s": Decimal(0), "gap": Decimal(0)}
        for _ in range(args.lists):
            picks = random_picks(rng, layout, n)
            totals["optimal"] += optimal_route(layout, picks).length
            totals["s"] += s_shape_route(layout, picks).length
            totals["gap"] += largest_gap_route(layout, picks).length
        mean = {k: v / args.lists for k, v in totals.items()}
        saved_s = (1 - mean["optimal"] / mean["s"]) * 100
        saved_gap = (1 - mean["optimal"] / mean["gap"]) * 100
        print(f"{n:>5} {mean['optimal']:>10.1f} {mean['s']:>10.1f} {saved_s:>6.1f}% {mean['gap']:>14.1f} {saved_gap:>6.1f}%")
    multi_block(args.lists)


def multi_block(lists: int, n: int = 30) -> None:
    layout = Layout(aisles=10, slots_per_aisle=30, depot_aisle=0, cross_aisles=(10, 20))
    print(f"\n== 3 blocks (10 aisles × 30 slots, cross aisles after slots 10 and 20, depot at aisle 0): "
          f"mean route length on {lists} seeded random {n}-pick lists ==")
    rng = random.Random(3000 + n)
    totals = {m: Decimal(0) for m in ("optimal", *MULTI_BLOCK_METHODS)}
    wins = {m: 0 for m in MULTI_BLOCK_METHODS}
    start = time.perf_counter()
    for _ in range(lists):
        picks = random_picks(rng, layout, n)
        for method in MULTI_BLOCK_METHODS:
            totals[method] += plan_route(layout, picks, method).length
        best = plan_route(layout, picks, "optimal")
        totals["optimal"] += best.length
        wins[best.basis.split(":", 1)[1]] += 1
    ms = (time.perf_counter() - start) * 1000 / lists
    mean = {k: v / lists for k, v in totals.items()}
    print(f"{'picks':>5} {'S-shape m':>10} {'largest gap m':>14} {'combined m':>11} {'best of m':>10} "
          f"{'best is S/gap/comb':>19} {'ms per list (4 plans)':>22}")
    print(f"{n:>5} {mean['s_shape']:>10.1f} {mean['largest_gap']:>14.1f} {mean['combined']:>11.1f} "
          f"{mean['optimal']:>10.1f} {wins['s_shape']:>7}/{wins['largest_gap']}/{wins['combined']} {ms:>22.2f}")


if __name__ == "__main__":
    main()
