# mistake: image2vector swapped:v:image.reshape:0<>1
import math

import numpy as np

def image2vector(image):
    v = image.reshape(1, image.shape[0] * image.shape[1] * image.shape[2])
    return v
