"""One row at a time, the loss accumulated as a Python float."""
import numpy as np


def softmax_loss(scores, y):
    m = len(y)
    loss = 0.0
    dscores = np.zeros(scores.shape)
    for i in range(m):
        row = scores[i] - scores[i].max()
        p = np.exp(row) / np.exp(row).sum()
        loss -= np.log(p[y[i]])
        p[y[i]] -= 1.0
        dscores[i] = p / m
    return loss / m, dscores
