# correct: predict
import math

import numpy as np

def predict(w, b, X):
    A = sigmoid(np.dot(w.reshape(-1, 1).T, X) + b)
    return np.where(A > 0.5, 1.0, 0.0)
