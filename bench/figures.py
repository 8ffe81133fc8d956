"""The figures of issue 14 that ``make bench`` adds to build/bench.json, and its targets.

Pure functions of measured runs (no timing here), so a test can check the arithmetic.
"""
from __future__ import annotations

# Issue 14's acceptance, at N = 1000 on the project's 2-core machine, quiet.
TARGETS = {"vs_nbgrader": 100.0, "startup_s_20": 1.0, "cpu_ms_per_notebook": 30.0,
           "peak_rss_mib": 1024.0, "worker_peak_rss_mib": 256.0}


def growth_sizes(n: int, growth: bool = True) -> list:
    """The batch sizes graded: 100 and 1000 below N (so that N = 10 000 shows all three), then N."""
    if not growth:
        return [n]
    return sorted({s for s in (100, 1000) if s < n} | {n})


def speed_keys(n: int, run: dict, nbgrader: dict | None, startup_s: float | None, growth: dict) -> dict:
    """The keys of build/bench.json named by issue 14.

    ``run``: the grader's batch of N (wall_s, cpu_s: {grader, children});
    ``nbgrader``: {"n", "wall_s", "cpu_s"} of its autograde, or None when it could not run;
    ``growth``: {label: {"n", "wall_s"}} of every batch size graded."""
    s_per = run["wall_s"] / n
    cpu_ms = 1000 * (run["cpu_s"]["grader"] + run["cpu_s"]["children"]) / n
    keys = {"s_per_notebook": round(s_per, 5), "cpu_ms_per_notebook": round(cpu_ms, 2),
            "nbgrader_s_per_notebook": None, "nbgrader_cpu_ms_per_notebook": None, "vs_nbgrader": None,
            "startup_s_20": None if startup_s is None else round(startup_s, 3), "growth_ratio": None}
    if nbgrader is not None:
        theirs = nbgrader["wall_s"] / nbgrader["n"]
        keys["nbgrader_s_per_notebook"] = round(theirs, 4)
        keys["nbgrader_cpu_ms_per_notebook"] = round(1000 * nbgrader["cpu_s"] / nbgrader["n"], 1)
        keys["vs_nbgrader"] = round(theirs / s_per, 1)
    per = sorted((r["n"], r["wall_s"] / r["n"]) for r in growth.values())
    if len(per) > 1:
        # Per-notebook cost at the largest N over that at the smallest: 1.0 is flat.
        keys["growth_ratio"] = round(per[-1][1] / per[0][1], 3)
    return keys


def target_lines(figures: dict) -> list:
    """[(label, met: True/False/None when not measured, value shown)] for issue 14's targets."""
    f = figures
    skipped = (f.get("nbgrader") or {}).get("skipped")

    def shown(value, unit, why=None):
        return f"not measured ({why})" if value is None and why else "not measured" if value is None \
            else f"{value}{unit}"

    def met(value, ok):
        return None if value is None else ok(value)

    return [
        (f"vs_nbgrader >= {TARGETS['vs_nbgrader']:.0f} (nbgrader s per notebook / grader s per notebook at "
         f"N={f['n']})", met(f["vs_nbgrader"], lambda v: v >= TARGETS["vs_nbgrader"]), shown(f["vs_nbgrader"], "x", skipped)),
        (f"startup_s_20 < {TARGETS['startup_s_20']:.1f} (grader grade on 20, interpreter start included)",
         met(f["startup_s_20"], lambda v: v < TARGETS["startup_s_20"]), shown(f["startup_s_20"], " s")),
        (f"cpu_ms_per_notebook <= {TARGETS['cpu_ms_per_notebook']:.0f}",
         met(f["cpu_ms_per_notebook"], lambda v: v <= TARGETS["cpu_ms_per_notebook"]),
         shown(f["cpu_ms_per_notebook"], " ms")),
        ("grader peak RSS <= 1 GiB", met(f["peak_rss_mib"], lambda v: v <= TARGETS["peak_rss_mib"]),
         shown(f["peak_rss_mib"], " MiB")),
        ("worker peak RSS <= 256 MiB", met(f["worker_peak_rss_mib"], lambda v: v <= TARGETS["worker_peak_rss_mib"]),
         shown(f["worker_peak_rss_mib"], " MiB")),
    ]
