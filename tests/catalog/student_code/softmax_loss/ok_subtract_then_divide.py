"""Shifted scores kept in a new array, probabilities by division."""
import numpy as np


def softmax_loss(scores, y):
    n = scores.shape[0]
    z = scores - scores.max(axis=1)[:, np.newaxis]
    e = np.exp(z)
    p = e / e.sum(axis=1)[:, np.newaxis]
    correct = p[np.arange(n), y]
    loss = -np.log(correct).sum() / n
    grad = p
    grad[np.arange(n), y] -= 1
    grad /= n
    return loss, grad
