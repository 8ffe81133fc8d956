# mistake: predict term:A:b
import math

import numpy as np

def predict(w, b, X):
    m = X.shape[1]
    w = w.reshape(X.shape[0], 1)
    A = sigmoid(np.dot(w.T, X))
    Y_prediction = (A > 0.5).astype(float)
    return Y_prediction
