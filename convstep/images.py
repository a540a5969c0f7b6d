"""Sample images for the explorers, from scikit-image's bundled data (CC0; nothing downloads).

Every function returns a new float64 array with values in [0, 1]:
grayscale images have shape (n_H, n_W), RGB images (n_H, n_W, 3).
"""

from functools import lru_cache

import numpy as np
import skimage.data

# The cameraman's head and camera: the part of camera() with the most edges per pixel,
# so that small step-by-step crops still show structure. (row, col) top-left, side length.
_CAMERA_DETAIL = (64, 192, 192)
# The astronaut's face and helmet rim, for the same reason.
_ASTRONAUT_DETAIL = (24, 152, 192)


@lru_cache(maxsize=None)
def _loaded(name):
    """scikit-image's uint8 array for name, read from disk once per process."""
    return getattr(skimage.data, name)()


def camera():
    """The 512x512 grayscale 'cameraman' photograph, shape (512, 512), values in [0, 1]."""
    return _loaded("camera").astype(np.float64) / 255.0


def astronaut():
    """The 512x512 RGB 'astronaut' photograph, shape (512, 512, 3), values in [0, 1]."""
    return _loaded("astronaut").astype(np.float64) / 255.0


def block_mean(image, size):
    """Downsample a square image to (size, size[, C]) by averaging equal square blocks.

    image -- (n, n) or (n, n, C) with n a multiple of size; block averaging keeps values
    in [0, 1] and, unlike point sampling, does not alias edges into noise.
    """
    n = image.shape[0]
    if n % size or image.shape[1] != n:
        raise ValueError(f"block_mean needs a square image whose side is a multiple of {size}, "
                         f"got shape {image.shape}")
    k = n // size
    blocks = image.reshape((size, k, size, k) + image.shape[2:])
    return blocks.mean(axis=(1, 3))


def _detail(image, corner):
    """Square crop (side, side[, C]) of image at corner = (row, col, side)."""
    row, col, side = corner
    return image[row:row + side, col:col + side]


def camera_small(size=8):
    """The cameraman's head and camera, downsampled to (size, size); size divides 192.

    Small enough to show every pixel as a cell for step-by-step arithmetic.
    """
    return block_mean(_detail(camera(), _CAMERA_DETAIL), size)


def astronaut_small(size=8):
    """The astronaut's face, downsampled to (size, size, 3); size divides 192."""
    return block_mean(_detail(astronaut(), _ASTRONAUT_DETAIL), size)


def to_gray(image):
    """(n_H, n_W) copy of a grayscale or RGB image; RGB channels are averaged equally."""
    image = np.asarray(image, dtype=np.float64)
    return image.mean(axis=2) if image.ndim == 3 else image.copy()


def sources(size_options=(8, 16, 512), rgb=True):
    """Named inputs for an explorer's image menu: {label: array}, smallest first.

    size_options -- sides in pixels; 512 means the full photograph.
    rgb -- also offer the astronaut in colour at each size.
    """
    named = {}
    for size in size_options:
        named[f"camera {size}×{size}"] = camera() if size == 512 else camera_small(size)
    if rgb:
        for size in size_options:
            named[f"astronaut {size}×{size} RGB"] = (astronaut() if size == 512
                                                     else astronaut_small(size))
    return named
