# caught: vectorized predict
import numpy as np


# GRADED FUNCTION: predict
def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    labels = np.apply_along_axis(lambda column: 1.0 if column[0] > 0.5 else 0.0, 0, A)  # <- caught
    return labels.reshape(1, -1)
