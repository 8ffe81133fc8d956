# mistake: sigmoid math:s:exp
import math

import numpy as np

def sigmoid(z):
    return 1 / (1 + math.exp(-z))
