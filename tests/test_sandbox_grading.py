"""The call-back and budget protections seen from a whole grading run (issue 9, items 2 and 3):
a ``model`` asking the reference ``optimize`` for 10**9 printed iterations and a ``sigmoid``
returning a 40-million-character dict key cost their own functions only; the grader's console,
its output files and an honest student graded beside them are untouched."""
from __future__ import annotations

import csv

from grader.pipeline import grade_folder
from tests.helpers_logreg import ROOT, logreg_assignment

REFERENCE = ROOT / "solutions" / "logreg" / "logreg.py"


def test_greedy_call_backs_and_huge_results_cost_only_their_own_functions(tmp_path, capfd):
    reference = REFERENCE.read_text()
    greedy = reference.replace("    s = 1 / (1 + np.exp(-z))\n", "    s = {'A' * 40_000_000: 1}\n")
    assert greedy != reference
    call = "optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)"
    assert call in greedy
    greedy = greedy.replace(call, "optimize(w, b, X_train, Y_train, 10**9, learning_rate, True)")
    folder, out = tmp_path / "submissions", tmp_path / "out"
    folder.mkdir()
    (folder / "greedy.py").write_text(greedy)
    (folder / "honest.py").write_text(reference)
    grade_folder(logreg_assignment(), folder, out, jobs=2, quiet=True)
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["honest"]["total"] == rows["honest"]["max"] == "31", rows["honest"]
    assert rows["greedy"]["sigmoid"] == rows["greedy"]["model"] == "0" and rows["greedy"]["propagate"] == "7"
    feedback = (out / "greedy" / "feedback.md").read_text()
    assert "returned more data than grading accepts" in feedback            # sigmoid
    assert "did not return in time" in feedback and "reference optimize()" in feedback   # model
    for name in ("feedback.md", "feedback.html", "results.json"):
        assert (out / "greedy" / name).stat().st_size < 2_000_000, name
    captured = capfd.readouterr()
    assert "Cost after iteration" not in captured.out + captured.err
