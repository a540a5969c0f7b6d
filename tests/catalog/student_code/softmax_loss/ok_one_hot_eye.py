"""One-hot labels from np.eye, log-sum-exp by hand."""
import numpy as np


def softmax_loss(scores, y):
    m, C = scores.shape
    one_hot = np.eye(C)[y]
    top = scores.max(axis=1, keepdims=True)
    log_sum = top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
    log_probs = scores - log_sum
    loss = -(one_hot * log_probs).sum() / m
    dscores = (np.exp(log_probs) - one_hot) / m
    return loss, dscores
