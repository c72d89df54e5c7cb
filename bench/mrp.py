"""Benchmark of the MRP engine (sihe.planning.netting), no database.

Builds ITEMS items in 5 BOM levels with 52 weekly buckets (seeded random): a few finished goods
with weekly demand, sub-assemblies and components shared between many parents and across levels
(so low-level codes matter), a few service parts with their own demand, scheduled receipts, safety
stocks scaled to each item's weekly usage, lead times of 1–6 weeks (so some releases fall past
due), integer quantities per parent with component scrap on some lines, whole-unit items. Then, in the same run:

1. the floor: a plain in-memory netting of the same precomputed int arrays — items in a
   precomputed low-level order, lot-for-lot only, no pegging, no exceptions, no validation;
2. `run_mrp` on the same data, lot-for-lot, with pegging (and without): its planned receipts are
   checked equal to the floor's, and its time is given as a ratio to the floor (aim: within 5×);
3. `run_mrp` with realistic lot sizing (fixed multiples, period order quantity, Wagner–Whitin,
   Silver–Meal, minimum order quantities) and pegging;
4. the memory peak of run 3 under tracemalloc (a separate run: tracing slows it down).

Times are the best of --repeat runs, CPU time of the process and wall time; ratios are taken on
CPU time, the steadier of the two on a shared machine (the load average is printed).

    .venv/bin/python bench/mrp.py                    options: --items 10000 --buckets 52 --seed 7
"""

import argparse
import os
import platform
import random
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sihe.planning.lotsizing import (  # noqa: E402
    FixedMultiple,
    LotForLot,
    PeriodOrder,
    SilverMeal,
    WagnerWhitin,
)
from sihe.planning.netting import Edge, Item, low_level_codes, run_mrp  # noqa: E402

LEVEL_SHARE = [0.015, 0.085, 0.2, 0.3, 0.4]  # finished goods … raw materials


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " · load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (f"{platform.node()} · {cpu} · {os.cpu_count()} CPUs · {platform.system()} {platform.release()} · "
            f"Python {platform.python_version()}{load}")


class Data:
    """The generated plant as plain int arrays (item i = index), shared by the floor and the engine."""

    def __init__(self, count: int, buckets: int, seed: int):
        rng = random.Random(seed)
        self.buckets = buckets
        sizes = [max(1, round(count * share)) for share in LEVEL_SHARE]
        sizes[-1] = count - sum(sizes[:-1])
        self.level = [lvl for lvl, size in enumerate(sizes) for _ in range(size)]
        self.codes = [f"L{lvl}-{i:05d}" for i, lvl in enumerate(self.level)]
        starts = [sum(sizes[:lvl]) for lvl in range(5)]
        self.children: list[list[tuple[int, int, int]]] = [[] for _ in range(count)]  # (child, qty, scrap %)
        self._bom(rng, sizes, starts)
        self.demand = [self._demand(rng, lvl) for lvl in self.level]
        self.lead = [1 if lvl == 0 else rng.choice([1, 1, 2, 2, 3, 4, 6]) for lvl in self.level]
        self.order = sorted(range(count), key=lambda i: self.level[i])  # the floor's precomputed order
        self.weekly = [sum(row) // buckets for row in self._gross_without_stock()]  # mean weekly usage
        self._stock(rng)

    def _gross_without_stock(self) -> list[list[int]]:
        """Each item's gross requirements if nothing were in stock: what it really uses per week."""
        gross = [list(row) for row in self.demand]
        for i in self.order:
            for child, qty, scrap in self.children[i]:
                for t, need in enumerate(gross[i]):
                    if need:
                        gross[child][max(0, t - self.lead[i])] += -(-need * qty * (100 + scrap) // 100)
        return gross

    def _stock(self, rng: random.Random):
        """As a running plant has it: stock for about the lead time, an open order within it for a
        quarter of the items, safety stock of half a week for 30 % of them."""
        n = self.buckets
        self.on_hand = [week * max(0, lead + rng.choice([-1, 0, 0, 1, 2]))
                        for week, lead in zip(self.weekly, self.lead, strict=True)]
        self.scheduled = [[0] * n for _ in self.weekly]
        for row, week, lead in zip(self.scheduled, self.weekly, self.lead, strict=True):
            if rng.random() < 0.25:
                row[rng.randrange(min(lead, n))] = week * rng.choice([1, 2])
        self.safety = [week // 2 if rng.random() < 0.3 else 0 for week in self.weekly]

    def _bom(self, rng: random.Random, sizes: list[int], starts: list[int]):
        """Every item below the top has a parent one level up; extra lines favour a few popular parts
        (shared components), some reaching two or more levels down."""
        for lvl in range(1, 5):
            for child in range(starts[lvl], starts[lvl] + sizes[lvl]):
                parent = starts[lvl - 1] + rng.randrange(sizes[lvl - 1])
                self.children[parent].append((child, rng.choice([1, 1, 2, 3, 4]), self._scrap(rng)))
        for lvl in range(4):
            for parent in range(starts[lvl], starts[lvl] + sizes[lvl]):
                taken = {c for c, _, _ in self.children[parent]}
                for _ in range(rng.randint(1, 4)):
                    below = lvl + 1 if rng.random() < 0.8 else rng.randint(lvl + 1, 4)
                    popular = max(1, sizes[below] // 20)  # 5 % of parts take most of the extra lines
                    pick = rng.randrange(popular) if rng.random() < 0.6 else rng.randrange(sizes[below])
                    child = starts[below] + pick
                    if child not in taken:
                        taken.add(child)
                        self.children[parent].append((child, rng.choice([1, 1, 2, 3, 4]), self._scrap(rng)))

    @staticmethod
    def _scrap(rng: random.Random) -> int:
        return rng.choice([1, 2, 3, 5]) if rng.random() < 0.1 else 0

    def _demand(self, rng: random.Random, level: int) -> list[int]:
        if level == 0:
            mean = rng.choice([20, 50, 100, 200])
            return [max(0, round(rng.gauss(mean, mean / 3))) if rng.random() < 0.9 else 0
                    for _ in range(self.buckets)]
        if rng.random() < 0.02:  # a service part
            return [rng.choice([0, 0, 0, 5, 10]) for _ in range(self.buckets)]
        return [0] * self.buckets

    def items(self, realistic: bool) -> list[Item]:
        rng = random.Random(11)
        return [Item(code, lead_time=self.lead[i], on_hand=Decimal(self.on_hand[i]),
                     safety_stock=Decimal(self.safety[i]), lot=self._rule(rng, i) if realistic else LotForLot(),
                     scheduled=[Decimal(q) for q in self.scheduled[i]], demand=[Decimal(q) for q in self.demand[i]],
                     decimals=0)
                for i, code in enumerate(self.codes)]

    def _rule(self, rng: random.Random, i: int):
        """Lot sizes scaled to the item's weekly usage: lots of 1–4 weeks, set-ups worth 2–8 weeks'
        holding (holding 0.2 per unit-week)."""
        roll, lvl, week = rng.random(), self.level[i], max(1, self.weekly[i])
        if lvl < 2 or roll < 0.45:
            return LotForLot()
        moq = Decimal(week * rng.choice([0, 0, 1]))
        if roll < 0.75:
            return FixedMultiple(Decimal(nice(week * rng.choice([1, 2, 4]))), moq)
        if roll < 0.92:
            return PeriodOrder(rng.choice([2, 3, 4]), moq)
        setup = Decimal(week) * Decimal("0.2") * rng.choice([2, 4, 8])
        if roll < 0.96:
            return WagnerWhitin(setup, Decimal("0.2"), moq)
        return SilverMeal(setup, Decimal("0.2"), moq)

    def bom(self) -> list[Edge]:
        return [Edge(self.codes[p], self.codes[c], Decimal(q), Decimal(s))
                for p, lines in enumerate(self.children) for c, q, s in lines]


def nice(qty: int) -> int:
    """A lot size a buyer would pick: 1, 2 or 5 × a power of ten, not below ``qty``'s magnitude."""
    power = 10 ** (len(str(qty)) - 1)
    return next(step * power for step in (1, 2, 5, 10) if step * power >= qty)


def floor(data: Data) -> list[list[int]]:
    """The simplest netting over the arrays: lot-for-lot, ints, precomputed order, nothing else."""
    n = data.buckets
    gross = [list(row) for row in data.demand]
    receipts: list[list[int]] = [[]] * len(gross)
    for i in data.order:
        g, s, p, safety, lead = gross[i], data.scheduled[i], data.on_hand[i], data.safety[i], data.lead[i]
        rec = [0] * n
        for t in range(n):
            a = p + s[t] - g[t]
            if a < safety:
                rec[t] = safety - a
                a = safety
            p = a
        for child, qty, scrap in data.children[i]:  # each order's need rounded up to whole units
            cg = gross[child]
            for t in range(n):
                if rec[t]:
                    cg[max(0, t - lead)] += -(-rec[t] * qty * (100 + scrap) // 100)
        receipts[i] = rec
    return receipts


class Timing:
    """Best of several runs, wall and CPU time of this process: on a shared machine the CPU time
    is the steadier figure, so ratios are taken on it."""

    def __init__(self, fn, repeat: int):
        self.wall = self.cpu = float("inf")
        self.out = None
        for _ in range(repeat):
            self.out = None  # free the last result outside the timing
            wall, cpu = time.perf_counter(), time.process_time()
            self.out = fn()
            self.cpu = min(self.cpu, time.process_time() - cpu)
            self.wall = min(self.wall, time.perf_counter() - wall)

    def __str__(self) -> str:
        return f"{self.cpu * 1000:,.0f} ms CPU ({self.wall * 1000:,.0f} ms wall)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--buckets", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    data = Data(args.items, args.buckets, args.seed)
    bom = data.bom()
    plain, realistic = data.items(realistic=False), data.items(realistic=True)
    levels = low_level_codes(data.codes, bom)
    print(f"plant: {args.items:,} items, {len(bom):,} BOM lines, {args.buckets} weekly buckets, "
          f"low-level codes 0..{max(levels.values())}, {sum(1 for d in data.demand if any(d)):,} items with "
          f"independent demand (built in {time.perf_counter() - started:.1f} s, not timed below)")

    base = Timing(lambda: floor(data), args.repeat)
    print(f"floor (plain int netting, lot-for-lot, precomputed order, no pegging): {base}")

    run = Timing(lambda: run_mrp(plain, bom, args.buckets), args.repeat)
    result = run.out
    same = all(result[code].planned_receipts == base.out[i] for i, code in enumerate(data.codes))
    assert same, "run_mrp lot-for-lot must plan exactly what the floor plans"
    print(f"run_mrp lot-for-lot with pegging: {run} — {run.cpu / base.cpu:.2f}× the floor "
          f"({orders_pegs(result)}; receipts equal the floor's)")
    run = result = None
    bare = Timing(lambda: run_mrp(plain, bom, args.buckets, pegging=False), args.repeat)
    print(f"run_mrp lot-for-lot without pegging: {bare} — {bare.cpu / base.cpu:.2f}× the floor")
    bare = None

    run = Timing(lambda: run_mrp(realistic, bom, args.buckets), args.repeat)
    print(f"run_mrp mixed lot sizing (L4L, fixed multiples, POQ, Wagner–Whitin, Silver–Meal, MOQ) with pegging: "
          f"{run} — {run.cpu / base.cpu:.2f}× the floor ({orders_pegs(run.out)})")
    run = None

    tracemalloc.start()
    result = run_mrp(realistic, bom, args.buckets)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory peak of the mixed run (tracemalloc, result included): {peak / 2**20:,.1f} MiB "
          f"for {sum(len(p.orders) for p in result.plans.values()):,} orders")


def orders_pegs(result) -> str:
    orders = [o for plan in result.plans.values() for o in plan.orders]
    return (f"{len(orders):,} planned orders, {sum(len(o.pegs) for o in orders):,} pegs, "
            f"{len(result.exceptions):,} past-due releases")


if __name__ == "__main__":
    main()
