# caught: rank1 optimize
import numpy as np


# GRADED FUNCTION: optimize
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    w = w.ravel()  # <- caught
    grads = {}
    for i in range(num_iterations):
        grads, cost = propagate(w.reshape(-1, 1), b, X, Y)
        w = w - learning_rate * grads["dw"][:, 0]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w.reshape(-1, 1), "b": b}, grads, costs
