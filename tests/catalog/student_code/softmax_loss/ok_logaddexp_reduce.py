"""np.logaddexp.reduce for the log-sum-exp."""
import numpy as np


def softmax_loss(scores, y):
    m = scores.shape[0]
    lse = np.logaddexp.reduce(scores, axis=1)
    loss = np.sum(lse - scores[np.arange(m), y]) / m
    dscores = np.exp(scores - lse[:, None])
    dscores[range(m), y] = dscores[range(m), y] - 1
    dscores = dscores / m
    return loss, dscores
