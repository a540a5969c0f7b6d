"""The digit network of notebook 6 in the explorers' own terms: its data, its arithmetic, a trainer.

conv 3x3 (8 filters, stride 1, pad 1) -> ReLU -> max pool 2x2 (stride 2) -> affine 128 -> 10,
on scikit-learn's bundled load_digits (8x8 pixels, 0 to 16), split and centred as notebook 6 does.
Parameters are notebook 6's dictionary {"W1" (3, 3, 1, 8), "b1" (1, 1, 1, 8), "W2" (128, 10),
"b2" (10,)}. The arithmetic takes a batch of images (m, 8, 8) and the whole network at once (the
layers are fixed), so it is the network explorer's reference, not the per-layer functions with
caches that the course asks learners to write.
"""

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

N_FILTERS = 8
SIDE, POOLED, CLASSES = 8, 4, 10
TEST, VALIDATION = 360, 287        # images put aside: the test set, then the validation set


class Digits(NamedTuple):
    """Notebook 6's split: pixels on the 0-16 scale (m, 8, 8) and labels (m,) of the training,
    validation and test images, and the mean pixel of the training images on the 0-1 scale (the
    network sees pixel / 16 - pixel_mean)."""

    train: np.ndarray
    y_train: np.ndarray
    val: np.ndarray
    y_val: np.ndarray
    test: np.ndarray
    y_test: np.ndarray
    pixel_mean: float


@lru_cache(maxsize=1)
def digits():
    """load_digits split once as notebook 6 splits it: 360 test images, then 287 validation and
    1,150 training images of the rest, each split stratified by digit with random_state 0."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    rest, test, y_rest, y_test = train_test_split(data.images, data.target, test_size=TEST,
                                                  random_state=0, stratify=data.target)
    train, val, y_train, y_val = train_test_split(rest, y_rest, test_size=VALIDATION,
                                                  random_state=0, stratify=y_rest)
    split = (train, y_train, val, y_val, test, y_test)
    for array in split:
        array.flags.writeable = False          # shared by every explorer of the process
    return Digits(*split, float((train / 16.0).mean()))


def network_input(pixels, pixel_mean):
    """What the network sees of pixels on the 0-16 scale: pixels / 16 - pixel_mean."""
    return np.asarray(pixels, dtype=np.float64) / 16.0 - pixel_mean


# ----------------------------------------------------------------------------- forward


def windows(x):
    """(m, 8, 8, 3, 3): the 3x3 window of every output cell on x (m, 8, 8) padded by 1 zero."""
    return sliding_window_view(np.pad(x, ((0, 0), (1, 1), (1, 1))), (3, 3), axis=(1, 2))


def convolve(x, params):
    """Z1 (m, 8, 8, 8): every window times every filter, summed, plus the filter's bias."""
    return (np.einsum("mijab,abk->mijk", windows(x), params["W1"][:, :, 0, :])
            + params["b1"].reshape(N_FILTERS))


def rectify(z):
    """A1 = max(0, Z1)."""
    return np.maximum(z, 0.0)


def max_pool(a):
    """(P, winner): P (m, 4, 4, 8) the maximum of each 2x2 block of a (m, 8, 8, 8), winner
    (m, 4, 4, 8) which of the block's cells (0..3, row-major) holds it (the first if tied)."""
    m = a.shape[0]
    blocks = a.reshape(m, POOLED, 2, POOLED, 2, N_FILTERS).transpose(0, 1, 3, 5, 2, 4)
    blocks = blocks.reshape(m, POOLED, POOLED, N_FILTERS, 4)
    winner = blocks.argmax(axis=-1)
    return np.take_along_axis(blocks, winner[..., None], axis=-1)[..., 0], winner


def tied(a):
    """(m, 8, 8, 8) bool: the cells of the 2x2 blocks of a whose maximum appears more than once
    (a blank region gives equal windows, so equal values): there the max has no derivative."""
    m = a.shape[0]
    blocks = a.reshape(m, POOLED, 2, POOLED, 2, N_FILTERS)
    count = (blocks == blocks.max(axis=(2, 4), keepdims=True)).sum(axis=(2, 4), keepdims=True)
    return np.broadcast_to(count > 1, blocks.shape).reshape(a.shape)


def class_scores(p, params):
    """Scores (m, 10) of pooled maps p (m, 4, 4, 8): flattened row by row, times W2, plus b2."""
    return p.reshape(p.shape[0], -1) @ params["W2"] + params["b2"]


def softmax(scores):
    """Probabilities (m, 10), computed from each row's scores minus its maximum (no overflow)."""
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(params, x):
    """Every layer for a batch x (m, 8, 8) of network inputs: a dict of z1, a1, p, winner, scores."""
    z1 = convolve(x, params)
    a1 = rectify(z1)
    p, winner = max_pool(a1)
    return {"z1": z1, "a1": a1, "p": p, "winner": winner, "scores": class_scores(p, params)}


# ----------------------------------------------------------------------------- backward


def scores_back(dscores, params):
    """dP (m, 4, 4, 8) from dscores (m, 10)."""
    return (dscores @ params["W2"].T).reshape(-1, POOLED, POOLED, N_FILTERS)


def pool_back(dp, winner):
    """dA1 (m, 8, 8, 8): each block's gradient goes to the cell that won its maximum."""
    m = dp.shape[0]
    share = (np.arange(4) == winner[..., None]) * dp[..., None]          # (m, 4, 4, 8, 4)
    share = share.reshape(m, POOLED, POOLED, N_FILTERS, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    return share.reshape(m, SIDE, SIDE, N_FILTERS)


def rectify_back(da, z):
    """dZ1: the gradient passes where Z1 > 0."""
    return da * (z > 0)


def convolve_back(dz, params):
    """dX (m, 8, 8): every output cell sends its gradient times the filter back to its window."""
    w = params["W1"][:, :, 0, :]
    dx = np.zeros((dz.shape[0], SIDE + 2, SIDE + 2))
    for a in range(3):
        for b in range(3):
            dx[:, a:a + SIDE, b:b + SIDE] += dz @ w[a, b]
    return dx[:, 1:-1, 1:-1]


def input_gradient(params, layers, dscores):
    """dX (m, 8, 8) of sum(dscores * scores) with respect to the network input; with dscores one-hot
    at class c, the saliency map of class c."""
    dp = scores_back(dscores, params)
    dz = rectify_back(pool_back(dp, layers["winner"]), layers["z1"])
    return convolve_back(dz, params)


# ----------------------------------------------------------------------------- training


def init(seed=0):
    """Notebook 6's starting weights: He-scaled filters, small affine weights, zero biases."""
    normal = np.random.default_rng(seed).standard_normal
    return {"W1": normal((3, 3, 1, N_FILTERS)) * np.sqrt(2 / 9),
            "b1": np.zeros((1, 1, 1, N_FILTERS)),
            "W2": normal((POOLED * POOLED * N_FILTERS, CLASSES)) * 0.01,
            "b2": np.zeros(CLASSES)}


def gradients(params, x_windows, y):
    """Mean cross-entropy of a batch and its gradient for every parameter.

    x_windows -- (m, 8, 8, 3, 3) the windows of the batch (computed once for the training set).
    """
    m = len(y)
    z1 = np.einsum("mijab,abk->mijk", x_windows, params["W1"][:, :, 0, :]) + params["b1"].reshape(-1)
    a1 = rectify(z1)
    p, winner = max_pool(a1)
    probabilities = softmax(class_scores(p, params))
    loss = -np.mean(np.log(probabilities[np.arange(m), y]))
    dscores = (probabilities - np.eye(CLASSES)[y]) / m
    dz = rectify_back(pool_back(scores_back(dscores, params), winner), z1)
    return loss, {"W1": np.einsum("mijab,mijk->abk", x_windows, dz)[:, :, None, :],
                  "b1": dz.sum(axis=(0, 1, 2)).reshape(1, 1, 1, -1),
                  "W2": p.reshape(m, -1).T @ dscores,
                  "b2": dscores.sum(axis=0)}


@lru_cache(maxsize=4)
def _trained(seed, epochs):
    data = digits()
    x_windows = np.ascontiguousarray(windows(network_input(data.train, data.pixel_mean)))
    x_val = network_input(data.val, data.pixel_mean)
    params = init(seed)
    velocity = {name: np.zeros_like(value) for name, value in params.items()}
    shuffle = np.random.default_rng(seed).permutation
    best, best_accuracy = None, -1.0
    for _ in range(epochs):
        order = shuffle(len(data.y_train))
        for first in range(0, len(order), 32):
            batch = order[first:first + 32]
            _, grads = gradients(params, x_windows[batch], data.y_train[batch])
            for name in params:         # SGD with momentum 0.9, learning rate 0.05
                velocity[name] = 0.9 * velocity[name] - 0.05 * grads[name]
                params[name] += velocity[name]
        accuracy = np.mean(forward(params, x_val)["scores"].argmax(axis=1) == data.y_val)
        if accuracy > best_accuracy:    # the first epoch with the best validation accuracy
            best, best_accuracy = {name: value.copy() for name, value in params.items()}, accuracy
    for value in best.values():
        value.flags.writeable = False
    return best


def trained(seed=0, epochs=12):
    """Notebook 6's training, in this module's terms: He-initialized weights (init), then epochs of
    mini-batches of 32 from the training images, SGD with momentum 0.9 and learning rate 0.05, the
    seed for both the initialization and the shuffling; the weights kept are those after the first
    epoch with the best validation accuracy (a second or two; done once per process). A new copy."""
    return {name: value.copy() for name, value in _trained(seed, epochs).items()}
