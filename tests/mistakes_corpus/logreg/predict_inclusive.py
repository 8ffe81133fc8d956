# mistake: predict comparison:Y_prediction:>=
import math

import numpy as np

def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(w.T @ X + b)
    Y_prediction = np.where(A >= 0.5, 1.0, 0.0)
    return Y_prediction
