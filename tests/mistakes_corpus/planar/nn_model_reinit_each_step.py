# mistake: nn_model reinitialized_in_the_loop
import math

import numpy as np

def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
    np.random.seed(3)
    n_x = layer_sizes(X, Y)[0]
    n_y = layer_sizes(X, Y)[2]
    for i in range(0, num_iterations):
        parameters = initialize_parameters(n_x, n_h, n_y)
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
    return parameters
