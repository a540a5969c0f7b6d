"""Stable probabilities (row maximum subtracted), then the log of the correct ones."""
import numpy as np


def softmax_loss(scores, y):
    m = scores.shape[0]
    exps = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exps / np.sum(exps, axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(m), y]))
    dscores = probs.copy()
    dscores[np.arange(m), y] -= 1
    return loss, dscores / m
