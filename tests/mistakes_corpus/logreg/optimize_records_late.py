# mistake: optimize recording:i+1
import math

import numpy as np

def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()
    b = float(b)
    costs = []
    dw, db = None, None
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if (i + 1) % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, {"dw": dw, "db": db}, costs
