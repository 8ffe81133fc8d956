"""Mistakes of the logistic-regression week that need more than a text replacement to model.

The grader reads ``MISTAKES`` from this file's syntax tree (see docs/config.md, "Mistakes"); the
functions run only in the grader's mistake worker, on the cases' inputs, and a submission whose
outputs are theirs on every case is told the message. Never copied into the student material.
"""
import numpy as np

from logreg import propagate


def cost_kept_2d(w, b, X, Y):
    """propagate with the right cost, left as a (1, 1) array (a product of a row and a column)."""
    grads, cost = propagate(w, b, X, Y)
    return grads, np.reshape(cost, (1, 1))


MISTAKES = [
    {"function": "propagate", "id": "cost_kept_2d", "compute": cost_kept_2d,
     "message": "the cost is right but keeps two dimensions (a 1 x 1 array) where a single number is meant: "
                "a product of a row and a column (np.dot) keeps both; np.squeeze(cost) drops them"},
]
