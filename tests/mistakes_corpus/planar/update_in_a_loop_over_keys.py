# correct: update_parameters
import math

import numpy as np

def update_parameters(parameters, grads, learning_rate=1.2):
    return {name: parameters[name] - learning_rate * grads["d" + name] for name in ("W1", "b1", "W2", "b2")}
