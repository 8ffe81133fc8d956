"""``make bench [N=1000]``: how fast the grader grades N realistic submissions, beside nbgrader.

    .venv/bin/python bench/bench.py --n 1000 [--jobs J] [--naive-sample 60] [--no-nbgrader]

1. Generates N submissions from the student notebook (``bench/make_submissions.py``: correct
   work in several styles, wrong values, rank-1 arrays, loops, exceptions, stubs, a syntax
   error, a deleted cell, an unreadable file, ``.py`` exports, and one never-ending
   ``predict`` per 500) into ``build/bench/n<N>/``.
2. Grades them as ``grader grade`` does (``grader.pipeline.grade`` with the sandbox and every check
   configured in config.yaml, then results.json/feedback per student as each finishes, the
   results cache, and gradebook.csv), first batches of 100 (and 1000 when N > 1000), then the
   batch of N, so the growth of the cost per notebook is visible.
3. Start-up (``startup_s_20``): the real CLI, ``grader grade`` in a new process, on 20 of the
   notebooks (stratified by kind), fresh output folder, no cache: what one resubmission pays.
4. nbgrader side by side (``bench/nbgrader_side.py``; ``--no-nbgrader`` skips it): nbgrader
   installed into ``build/env-nbgrader`` (bench and tools tests only), the assignment exported
   (``grader export nbgrader``) and released (``nbgrader generate_assignment``), the same 20
   notebooks' graded cells pasted into the released notebook, ``nbgrader autograde`` timed,
   and both tools' scores printed side by side (the grader's values + shapes points under
   ``attribution: as_submitted``, since nbgrader runs functions with the student's own callees).
   When nbgrader cannot be installed, its figures are null, and the reason printed.
5. Runs the naive baseline (``bench/naive.py``: a fresh ``python`` per submission that imports
   numpy and runs the same checks) on a stratified sample of the same N submissions, and
   extrapolates its time per kind of submission to the whole mix; then what the teaching checks
   and naming mistakes cost (``--teaching-sample``, ``--diagnosis-sample``; 0 skips each).
6. Prints the figures and the targets ([met]/[MISSED]) and writes them to ``build/bench.json``,
   with issue 14's keys: ``s_per_notebook``, ``cpu_ms_per_notebook``, ``nbgrader_s_per_notebook``,
   ``vs_nbgrader``, ``startup_s_20``, ``growth`` and ``growth_ratio`` (bench/figures.py).

Definitions:
- *latency* of a submission (p50/p95/max): from the moment a grading thread starts loading it
  to the moment its last graded function is judged; it includes the wait for the judging
  thread. ``final_p50_s``/``final_p95_s``: to the moment its result is final (``on_done``),
  which, when the instructor has hidden test files, is after the whole session (their items
  run after every generated one);
- *CPU*: ``getrusage`` of this process plus its reaped children (zygotes, sandboxed children);
  ``cpu_ms_per_notebook`` is both over N, in ms; nbgrader's CPU is that of its reaped processes
  (it, its kernels) during ``autograde``;
- *vs_nbgrader*: nbgrader's wall per notebook on its 20 over the grader's wall per notebook at N;
- *peak RSS*: ``ru_maxrss`` of this process, and of the largest child (a worker);
- *stage shares*: seconds spent in each stage summed over the grading threads, divided by their
  total; ``calls`` is the round trip of the student's calls (it includes the proxies' calls back
  to the reference in this process), ``reference`` the batch's preparation (reference outputs,
  once per batch).
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import figures as issue14  # noqa: E402
import nbgrader_side  # noqa: E402
from make_submissions import make_submissions  # noqa: E402

# Earlier issues' targets; issue 14's are in figures.py.
TARGETS = {"wall_s_at_1000": 60.0, "per_s": 16.0, "speedup": 20.0}


def load_assignment(config: Path, name: str | None):
    """The assignment as configured; checks named in config.yaml but not installed are dropped, and said."""
    import yaml

    from grader.checks import all_checks
    from grader.config import load_config, parse_config
    from grader.errors import ConfigError

    try:
        return load_config(config).assignment(name), []
    except ConfigError:
        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
        known = set(all_checks())
        dropped = set()
        for assignment in raw.get("assignments", {}).values():
            for function in assignment.get("functions", {}).values():
                dropped |= set(function.get("points", {})) - known
                function["points"] = {k: v for k, v in function.get("points", {}).items() if k in known}
                if "checks" in function:
                    function["checks"] = {k: v for k, v in function["checks"].items() if k in known}
        if not dropped:
            raise
        return parse_config(raw, config).assignment(name), sorted(dropped)


def usage():
    self_, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self_cpu": self_.ru_utime + self_.ru_stime, "children_cpu": children.ru_utime + children.ru_stime,
            "self_rss_mib": self_.ru_maxrss / 1024, "children_rss_mib": children.ru_maxrss / 1024}


def percentile(values: list, q: float) -> float:
    """Nearest-rank percentile (no interpolation): a value that was actually measured."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def grade_batch(assignment, paths: list, out: Path, jobs: int) -> dict:
    """Grade ``paths`` the way ``grader grade --force`` does, and measure it."""
    from grader import cache
    from grader.grading import Batch
    from grader.pipeline import grade
    from grader.report import write_batch, write_student
    from grader.submission.discover import work_for

    if out.exists():
        shutil.rmtree(out)
    before = usage()
    started = time.perf_counter()
    batch = Batch.prepare(assignment)
    prepared = time.perf_counter()
    work = work_for(paths)
    ids = [item.student for item in work]
    base = cache.batch_key(assignment)
    keys = {sid: cache.submission_key(base, p) for sid, p in zip(ids, paths)}
    finished_at: dict = {}
    report_seconds = [0.0]

    def on_done(position, result) -> None:
        finished_at[result.student] = time.perf_counter()
        t = time.perf_counter()
        write_student(assignment, result, out)
        cache.store(out, result, keys[result.student])
        report_seconds[0] += time.perf_counter() - t

    stats: dict = {}
    # No batch passed in: the default path decides, as `grader grade` does, whether to split
    # the batch between grader processes (the preparation above is then timed on its own).
    results = grade(assignment, work, jobs=jobs, stats=stats, on_result=on_done, progress=sys.stderr.isatty())
    graded_at = t = time.perf_counter()
    write_batch(assignment, results, out)
    report_seconds[0] += time.perf_counter() - t
    wall = time.perf_counter() - started
    after = usage()
    judged = stats.get("judged", {})
    # From the last generated item judged to the end of the session: the items of the
    # instructor's hidden test files (they run after every generated item) and the reports.
    tail = (graded_at - max(judged.values())) if judged else 0.0

    started_at, judged_at = stats.get("started", {}), stats.get("judged", {})
    latencies = [judged_at[i] - started_at[i] for i in range(len(ids)) if i in started_at and i in judged_at]
    if len(latencies) != len(ids):  # an engine without these hooks: time from the batch's start
        latencies = [finished_at[sid] - prepared for sid in ids if sid in finished_at]
    final = [finished_at[sid] - started_at[i] for i, sid in enumerate(ids) if i in started_at and sid in finished_at]
    stages = dict(stats.get("stage_seconds", {}))
    stages["reference"] = batch.stats.get("prepare_seconds", prepared - started)
    stages["reports"] = report_seconds[0]
    failed = [r.student for r in results if r.status == "error"]
    if failed:  # an internal error makes a run look fast: never report it silently
        print(f"  WARNING: the grader failed internally on {len(failed)} submission(s): {', '.join(failed[:5])}; "
              f"see {out}/<student>/feedback.md", file=sys.stderr)
    return {
        "n": len(paths), "jobs": jobs, "wall_s": wall, "per_s": len(paths) / wall, "internal_errors": len(failed),
        "p50_s": percentile(latencies, 50), "p95_s": percentile(latencies, 95), "max_s": max(latencies),
        "final_p50_s": percentile(final, 50) if final else None,
        "final_p95_s": percentile(final, 95) if final else None,
        "cpu_s": {"grader": after["self_cpu"] - before["self_cpu"],
                  "children": after["children_cpu"] - before["children_cpu"]},
        "peak_rss_mib": after["self_rss_mib"], "worker_peak_rss_mib": after["children_rss_mib"],
        "prepare_s": prepared - started, "stage_seconds": stages, "tail_s": tail,
        "results": results,
    }


def without_teaching_checks(assignment):
    """The same assignment with the rank1 and vectorized checks switched off."""
    import dataclasses

    functions = {name: dataclasses.replace(spec, points={c: p for c, p in spec.points.items()
                                                          if c not in ("rank1", "vectorized")})
                 for name, spec in assignment.functions.items()}
    return dataclasses.replace(assignment, functions=functions)


def teaching_cost(assignment, paths: list, work: Path, jobs: int) -> dict:
    """Wall time of the same submissions with and without the teaching checks (issue 4: <= ~2x)."""
    with_run = grade_batch(assignment, paths, work / "teaching-with", jobs)
    without_run = grade_batch(without_teaching_checks(assignment), paths, work / "teaching-without", jobs)
    return {"n": len(paths), "with_s": round(with_run["wall_s"], 3), "without_s": round(without_run["wall_s"], 3),
            "factor": round(with_run["wall_s"] / max(without_run["wall_s"], 1e-9), 2)}


def diagnosis_cost(assignment, paths: list, jobs: int) -> dict:
    """What naming mistakes costs (grader/mistakes): the same submissions graded in this process with
    diagnosis and without. Only failed functions pay: their models' outputs are computed once per
    batch and function (a worker process), then each failed function is compared with them."""
    import dataclasses

    from grader.grading import Batch
    from grader.pipeline import grade
    from grader.submission.discover import work_for

    with_batch = Batch.prepare(assignment)
    without_batch = dataclasses.replace(with_batch, mistakes=None)
    started = time.perf_counter()
    grade(assignment, work_for(paths), jobs=jobs, batch=without_batch)
    middle = time.perf_counter()
    results = grade(assignment, work_for(paths), jobs=jobs, batch=with_batch)
    ended = time.perf_counter()
    stats = with_batch.mistakes.stats
    failed = max(1, stats["failed_functions"])
    return {"n": len(paths), "without_s": round(middle - started, 3), "with_s": round(ended - middle, 3),
            "extra_s": round((ended - middle) - (middle - started), 3),
            "functions_evaluated": stats["evaluations"], "evaluate_s": round(stats["evaluate_seconds"], 3),
            "failed_functions": stats["failed_functions"], "diagnosed": stats["diagnosed"],
            "tests_diagnosed": sum(1 for r in results for t in r.tests if t.diagnosis),
            "match_s": round(stats["match_seconds"], 4),
            "ms_per_failed_function": round(1000 * (stats["evaluate_seconds"] + stats["match_seconds"]) / failed, 2),
            "match_ms_per_failed_function": round(1000 * stats["match_seconds"] / failed, 3)}


def time_cli(paths: list, work: Path, config: Path, assignment_name: str) -> dict:
    """Wall time of the real CLI, ``grader grade`` in a new process, on ``paths`` copied into a
    folder of their own, with a fresh output folder and --force (no results cache to reuse):
    what one student's resubmission pays, interpreter start and imports included."""
    folder, out = work / "startup" / "submissions", work / "startup" / "grades"
    for old in (folder, out):
        if old.exists():
            shutil.rmtree(old)
    folder.mkdir(parents=True)
    for path in paths:
        shutil.copyfile(path, folder / path.name)
    program = Path(sys.executable).parent / "grader"
    command = [str(program)] if program.exists() else [sys.executable, "-m", "grader"]
    command += ["grade", str(folder), "--out", str(out), "--assignment", assignment_name, "--config", str(config),
                "--force"]
    shown = " ".join(os.path.relpath(c, ROOT) if os.path.isabs(c) else c for c in command)
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return {"n": len(paths), "wall_s": None, "command": shown, "error": "did not finish within 600 s"}
    wall = time.perf_counter() - started
    graded = len(list(out.glob("*/results.json")))
    if done.returncode != 0 or graded != len(paths):
        return {"n": len(paths), "wall_s": None, "command": shown,
                "error": f"exit {done.returncode}, {graded} of {len(paths)} results written: "
                         f"{(done.stderr or done.stdout).strip()[-500:]}"}
    return {"n": len(paths), "wall_s": wall, "command": shown, "error": None}


def run_nbgrader(assignment, paths: list, kinds: dict, folder: Path, jobs: int, whole: bool = False) -> dict:
    """nbgrader autograde on ``paths``, timed, and both tools' scores side by side.

    The grader's side is a grade of the same notebooks with ``attribution: as_submitted``, its
    values and shapes points: nbgrader runs each function with the student's own callees, and
    its export has the values and shapes cases only. When nbgrader cannot be installed or
    fails, its figures are null, with the reason: never an assumed figure."""
    import dataclasses

    from grader.pipeline import grade_paths

    try:
        run = nbgrader_side.autograde(assignment, paths, folder, whole=whole, log=print)
    except nbgrader_side.ToolUnavailable as error:
        print(f"  nbgrader NOT MEASURED: {error}")
        return {"skipped": str(error)}
    except (nbgrader_side.ToolFailed, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        print(f"  nbgrader NOT MEASURED, it failed: {error}", file=sys.stderr)
        return {"skipped": f"nbgrader failed: {str(error).splitlines()[0]}"}
    print(f"  autograde: {run['wall_s']:.1f} s wall for {run['n']}, {run['wall_s'] / run['n']:.2f} s per notebook; "
          f"CPU of its processes {run['cpu_s']:.1f} s")
    as_submitted = dataclasses.replace(assignment, attribution="as_submitted")
    ours = {r.student: nbgrader_side.values_shapes_points(r) for r in grade_paths(as_submitted, paths, jobs=jobs)}
    same, total, differ = nbgrader_side.agreement(ours, run["scores"])
    print("  scores, values + shapes points (the grader with attribution as_submitted):")
    print(f"    {'student':<14}{'kind':<12}{'grader':>8}{'nbgrader':>10}")
    differing = {s for s, _, _ in differ}
    for student in sorted(ours):
        print(f"    {student:<14}{kinds.get(student, '?'):<12}{ours[student]:>8.2f}"
              f"{run['scores'].get(student, float('nan')):>10.2f}{'   differ' if student in differing else ''}")
    print(f"  same score on {same} of {total}")
    return {"version": run["version"], "n": run["n"], "whole_notebook": whole, "wall_s": round(run["wall_s"], 3),
            "cpu_s": round(run["cpu_s"], 2), "same_score": same, "of": total,
            "side_by_side": {s: {"kind": kinds.get(s), "grader": round(ours[s], 4) if s in ours else None,
                                 "nbgrader": run["scores"].get(s)} for s in sorted(set(ours) | set(run["scores"]))}}


def naive_sample(items: list, size: int) -> list:
    """A stratified sample: each kind of submission in proportion, at least one of each."""
    by_kind = collections.defaultdict(list)
    for index, (_, item) in enumerate(items):
        by_kind[item["profile"]].append(index)
    chosen = []
    for kind, indices in sorted(by_kind.items()):
        k = max(1, round(size * len(indices) / len(items)))
        step = len(indices) / k
        chosen.extend(indices[int(j * step)] for j in range(min(k, len(indices))))
    return sorted(chosen)


def run_naive(items: list, sample: list, config: Path, assignment_name, out: Path, jobs: int) -> dict:
    """Time bench/naive.py on the sample, ``jobs`` processes at a time; extrapolate to the whole mix."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [sys.executable, str(ROOT / "bench" / "naive.py"), str(out), "--config", str(config)]
    if assignment_name:
        command += ["--assignment", assignment_name]

    def one(index: int):
        path = items[index][0]
        t = time.perf_counter()
        done = subprocess.run([*command, str(path)], capture_output=True, text=True, env=env, cwd=ROOT)
        seconds = time.perf_counter() - t
        line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        try:
            reported = json.loads(line)
        except ValueError:
            reported = {"error": (done.stderr or done.stdout)[-500:]}
        return index, seconds, reported

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        timed = list(pool.map(one, sample))
    wall = time.perf_counter() - started
    by_kind = collections.defaultdict(list)
    for index, seconds, _ in timed:
        by_kind[items[index][1]["profile"]].append(seconds)
    counts = collections.Counter(item["profile"] for _, item in items)
    # Each kind's mean latency (measured with `jobs` processes running at once), times its count
    # in the whole mix, spread over the `jobs` parallel processes.
    estimated_wall = sum(counts[k] * statistics.mean(v) for k, v in by_kind.items()) / jobs
    return {"sample": len(sample), "sample_wall_s": wall, "sample_per_s": len(sample) / wall,
            "estimated_wall_s": estimated_wall, "per_s": len(items) / estimated_wall,
            "mean_process_s": statistics.mean(s for _, s, _ in timed),
            "per_kind_s": {k: statistics.mean(v) for k, v in sorted(by_kind.items())},
            "reported": {items[i][0].name: r for i, _, r in timed}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="number of submissions (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="parallel sandboxes (default: as grader grade, the CPU count + 1)")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    parser.add_argument("--assignment", default="logreg",
                        help="the assignment whose realistic mix is generated (default: %(default)s)")
    parser.add_argument("--naive-sample", type=int, default=60,
                        help="submissions the naive baseline runs on, stratified by kind (default: %(default)s; "
                             "0 skips it)")
    parser.add_argument("--no-growth", action="store_true",
                        help="skip the batches of 100 (and 1000 when N > 1000) graded before the batch of N")
    parser.add_argument("--no-nbgrader", action="store_true",
                        help="skip nbgrader's side-by-side run (installing it into build/env-nbgrader on first use)")
    parser.add_argument("--nbgrader-whole-notebook", action="store_true",
                        help="let nbgrader run the course's whole notebook, its data loading and training cells "
                             "too (the grader runs neither; default: the grading cells only, a lower bound)")
    parser.add_argument("--side-by-side", type=int, default=20, metavar="K",
                        help="notebooks that nbgrader autogrades and `grader grade` grades from a fresh start "
                             "(startup_s_20), stratified by kind (default: %(default)s)")
    parser.add_argument("--teaching-sample", type=int, default=100,
                        help="submissions graded with and without the rank1/vectorized checks to measure what "
                             "they cost (default: %(default)s; 0 skips it)")
    parser.add_argument("--diagnosis-sample", type=int, default=100,
                        help="submissions graded with and without naming mistakes to measure what it costs "
                             "(default: %(default)s; 0 skips it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)

    from grader.backends import default_jobs

    jobs = args.jobs or default_jobs()
    work = ROOT / "build" / "bench"
    assignment, dropped = load_assignment(args.config.resolve(), args.assignment)
    from grader.checks import all_checks
    checks = sorted({c for f in assignment.functions.values() for c in f.points if c in all_checks()})
    print(f"bench: {assignment.name}, checks {', '.join(checks)}, {jobs} job(s) on {os.cpu_count()} core(s)")
    if dropped:
        print(f"  note: config.yaml names checks that are not installed yet, left out of this run: {', '.join(dropped)}")

    sizes = issue14.growth_sizes(args.n, growth=not args.no_growth)
    runs = {}
    items = []
    for n in sizes:
        t = time.perf_counter()
        items = make_submissions(assignment, work / f"n{n}", n, args.seed)
        generated = time.perf_counter() - t
        print(f"\n{n} submissions generated in {generated:.1f} s ({work / f'n{n}'}); grading with {jobs} job(s)...")
        runs[n] = grade_batch(assignment, [p for p, _ in items], work / f"grades-n{n}", jobs)
        show(runs[n])
    main_run = runs[args.n]

    side = nbgrader_side.side_by_side(items, args.side_by_side)
    print(f"\nstart-up: `grader grade` as a subprocess on {len(side)} of the notebooks, fresh output folder...")
    startup = time_cli(side, work, args.config.resolve(), assignment.name)
    print(f"  {startup['wall_s']:.2f} s in all" if startup["wall_s"] is not None else f"  not measured: {startup['error']}")

    nbgrader = None
    if args.no_nbgrader:
        nbgrader = {"skipped": "--no-nbgrader"}
    else:
        print(f"\nnbgrader side by side: `nbgrader autograde` on the same {len(side)} notebooks...")
        kinds = {path.stem: item["profile"] for path, item in items}
        nbgrader = run_nbgrader(assignment, side, kinds, work / "nbgrader", jobs, whole=args.nbgrader_whole_notebook)

    naive = None
    if args.naive_sample > 0:
        sample = naive_sample(items, min(args.naive_sample, len(items)))
        print(f"\nnaive baseline: a fresh python per submission, {len(sample)} of the {len(items)} submissions "
              f"(stratified by kind), {jobs} process(es) at a time...")
        naive = run_naive(items, sample, args.config.resolve(), args.assignment, work / "naive", jobs)
        agree = compare(main_run["results"], naive["reported"])
        broken = sorted(name for name, line in naive["reported"].items()
                        if line.get("status") == "error" or "error" in line)
        if broken:  # a baseline that fails internally is fast for the wrong reason: say so
            print(f"  WARNING: the naive baseline failed internally on {len(broken)} submission(s) "
                  f"({', '.join(broken[:5])}): its time is not a baseline; see {work / 'naive'}", file=sys.stderr)
        naive["same_score"] = agree
        print(f"  sample: {naive['sample']} in {naive['sample_wall_s']:.1f} s, {naive['mean_process_s']:.3f} s per "
              f"process; per kind: " + ", ".join(f"{k} {v:.2f}s" for k, v in naive["per_kind_s"].items()))
        print(f"  extrapolated to the {len(items)} submissions: {naive['estimated_wall_s']:.1f} s, "
              f"{naive['per_s']:.1f} submissions/s")
        print(f"  same total score as the grader on {agree[0]} of {agree[1]} sampled submissions"
              + (f" (differ: {', '.join(agree[2][:8])})" if agree[2] else ""))

    teaching = None
    if args.teaching_sample > 0:
        sample = [p for p, _ in items][: args.teaching_sample]
        print(f"\ncost of the teaching checks (rank1, vectorized): the first {len(sample)} submissions, "
              f"graded with all checks, then without them...")
        teaching = teaching_cost(assignment, sample, work, jobs)
        print(f"  all checks {teaching['with_s']:.2f} s, without rank1/vectorized {teaching['without_s']:.2f} s: "
              f"the teaching checks multiply grading time by {teaching['factor']:.2f}")

    diagnosis = None
    if args.diagnosis_sample > 0:
        sample = [p for p, _ in items][: args.diagnosis_sample]
        print(f"\ncost of naming mistakes: the first {len(sample)} submissions, graded without, then with...")
        diagnosis = diagnosis_cost(assignment, sample, jobs)
        print(f"  without {diagnosis['without_s']:.2f} s, with {diagnosis['with_s']:.2f} s; "
              f"{diagnosis['functions_evaluated']} function(s)' models evaluated once, in {diagnosis['evaluate_s']:.2f} s; "
              f"{diagnosis['failed_functions']} failed function(s) compared in {diagnosis['match_s']:.3f} s, "
              f"{diagnosis['diagnosed']} named; {diagnosis['ms_per_failed_function']:.1f} ms per failed function "
              f"in all ({diagnosis['match_ms_per_failed_function']:.2f} ms once the models have run)")

    figures = summary(args.n, jobs, runs, naive, checks, dropped, items)
    # startup_s_20 is a figure on 20 notebooks: another --side-by-side count is kept in "startup" only.
    figures.update(issue14.speed_keys(args.n, main_run, nbgrader if nbgrader.get("wall_s") else None,
                                      startup["wall_s"] if startup["n"] == 20 else None, figures["growth"]))
    figures["startup"] = startup
    figures["nbgrader"] = nbgrader
    if teaching is not None:
        figures["teaching_checks"] = teaching
    if diagnosis is not None:
        figures["diagnosis"] = diagnosis
    print_summary(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


def compare(results: list, reported: dict):
    by_source = {r.source: r for r in results}
    same, differ = 0, []
    for name, line in sorted(reported.items()):
        result = by_source.get(name)
        if result is not None and "score" in line and abs(result.score - line["score"]) < 1e-6:
            same += 1
        else:
            differ.append(f"{name} {result.score if result else '?'} vs {line.get('score', line.get('error', '?'))}")
    return same, len(reported), differ


def show(run: dict) -> None:
    stages = run["stage_seconds"]
    total = sum(stages.values()) or 1.0
    print(f"  wall {run['wall_s']:.2f} s, {run['per_s']:.1f} submissions/s; latency p50 {run['p50_s']:.3f} s, "
          f"p95 {run['p95_s']:.3f} s, max {run['max_s']:.2f} s")
    print(f"  after the last generated item: {run['tail_s']:.2f} s (instructor test items, reports)")
    print(f"  CPU: grader {run['cpu_s']['grader']:.1f} s + children {run['cpu_s']['children']:.1f} s; peak RSS: "
          f"grader {run['peak_rss_mib']:.0f} MiB, largest worker {run['worker_peak_rss_mib']:.0f} MiB")
    print("  stages (summed over threads): " + ", ".join(
        f"{k} {v:.1f}s ({100 * v / total:.0f}%)" for k, v in sorted(stages.items(), key=lambda kv: -kv[1])))


def summary(n, jobs, runs, naive, checks, dropped, items) -> dict:
    main_run = runs[n]
    stages = main_run["stage_seconds"]
    total = sum(stages.values()) or 1.0
    figures = {
        "n": n, "jobs": jobs, "cpus": os.cpu_count(), "python": platform.python_version(),
        "checks": checks, "checks_not_installed": dropped,
        "mix": dict(sorted(collections.Counter(item["profile"] for _, item in items).items())),
        "wall_s": round(main_run["wall_s"], 3), "per_s": round(main_run["per_s"], 2),
        "p50_s": round(main_run["p50_s"], 4), "p95_s": round(main_run["p95_s"], 4),
        "max_s": round(main_run["max_s"], 3), "tail_s": round(main_run["tail_s"], 3),
        "final_p50_s": main_run["final_p50_s"] and round(main_run["final_p50_s"], 4),
        "final_p95_s": main_run["final_p95_s"] and round(main_run["final_p95_s"], 4),
        "cpu_s": {k: round(v, 2) for k, v in main_run["cpu_s"].items()},
        "peak_rss_mib": round(main_run["peak_rss_mib"], 1),
        "worker_peak_rss_mib": round(main_run["worker_peak_rss_mib"], 1),
        "stage_seconds": {k: round(v, 3) for k, v in stages.items()},
        "stage_share": {k: round(v / total, 3) for k, v in stages.items()},
        "growth": {str(k): {"n": r["n"], "wall_s": round(r["wall_s"], 3), "per_s": round(r["per_s"], 2),
                            "s_per_submission": round(r["wall_s"] / r["n"], 4)} for k, r in runs.items()},
        "naive_per_s": None, "speedup": None,
    }
    if naive is not None:
        figures["naive_per_s"] = round(naive["per_s"], 3)
        figures["naive"] = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in naive.items()
                            if k not in ("reported", "per_kind_s")}
        figures["naive"]["per_kind_s"] = {k: round(v, 3) for k, v in naive["per_kind_s"].items()}
        figures["speedup"] = round(main_run["per_s"] / naive["per_s"], 1)
    return figures


def print_summary(f: dict) -> None:
    print(f"\n=== bench: N={f['n']}, {f['jobs']} job(s), {f['cpus']} core(s), checks: {', '.join(f['checks'])}")
    for key, run in f["growth"].items():
        print(f"  N={run['n']:>5}: {run['wall_s']:7.2f} s wall, {run['per_s']:6.1f} submissions/s, "
              f"{1000 * run['s_per_submission']:.1f} ms per submission")
    print(f"  latency per submission: p50 {f['p50_s']:.3f} s, p95 {f['p95_s']:.3f} s, max {f['max_s']:.2f} s")
    print(f"  CPU: grader {f['cpu_s']['grader']} s, children {f['cpu_s']['children']} s")
    print(f"  peak RSS: grader {f['peak_rss_mib']} MiB, largest worker {f['worker_peak_rss_mib']} MiB")
    print("  share of time: " + ", ".join(f"{k} {100 * v:.0f}%" for k, v in
                                           sorted(f["stage_share"].items(), key=lambda kv: -kv[1])))
    if f["naive_per_s"]:
        print(f"  naive baseline: {f['naive_per_s']} submissions/s -> the grader is {f['speedup']}x faster")
    wall_1000 = f["wall_s"] * 1000 / f["n"]
    print(f"  s_per_notebook {f['s_per_notebook']} s (wall at N={f['n']}), cpu_ms_per_notebook "
          f"{f['cpu_ms_per_notebook']} ms (grader + children)")
    if f["growth_ratio"] is not None:
        sizes = sorted(run["n"] for run in f["growth"].values())
        print(f"  growth of the cost per notebook from N={sizes[0]} to N={sizes[-1]}: x{f['growth_ratio']}")
    startup = f.get("startup") or {}
    if startup.get("wall_s") is not None:
        print(f"  start-up: {startup['wall_s']:.3f} s for {startup['n']} notebooks ({startup['command']})")
    else:
        print(f"  start-up: not measured ({startup.get('error')})")
    nb = f.get("nbgrader") or {}
    if f["nbgrader_s_per_notebook"] is not None:
        print(f"  nbgrader {nb['version']}: {f['nbgrader_s_per_notebook']} s and {f['nbgrader_cpu_ms_per_notebook']} ms "
              f"CPU per notebook (autograde of {nb['n']}, "
              f"{'the whole notebook' if nb['whole_notebook'] else 'grading cells only'}) -> vs_nbgrader "
              f"{f['vs_nbgrader']}x; same score on {nb['same_score']} of {nb['of']}")
    else:
        print(f"  nbgrader: not measured ({nb.get('skipped')})")
    # Issue 14's targets, then the earlier ones (issue 3's throughput, the naive baseline).
    checks = issue14.target_lines(f) + [
        (f"wall for 1000 (scaled from N={f['n']}) <= 60 s", wall_1000 <= TARGETS["wall_s_at_1000"], f"{wall_1000:.1f} s"),
        ("submissions/s >= 16", f["per_s"] >= TARGETS["per_s"], f"{f['per_s']}"),
    ]
    if f["speedup"]:
        checks.append(("faster than naive >= 20x", f["speedup"] >= TARGETS["speedup"], f"{f['speedup']}x"))
    for label, ok, value in checks:
        print(f"  [{'not measured' if ok is None else 'met' if ok else 'MISSED'}] {label}: {value}")


if __name__ == "__main__":
    sys.exit(main())
