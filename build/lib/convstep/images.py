"""Sample images for the explorers, from scikit-image's bundled data (CC0; nothing downloads).

Every function returns a new float64 array with values in [0, 1]:
grayscale images have shape (n_H, n_W), RGB images (n_H, n_W, 3).
``from_bytes`` decodes a learner's own PNG or JPEG file the same way.
"""

import io
import warnings
from functools import lru_cache

import numpy as np
import skimage.data
from PIL import Image, UnidentifiedImageError

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


# Larger pictures are refused before decoding: a small file can decode to gigabytes.
MAX_PIXELS = 40_000_000


def from_bytes(content, rgb=True, max_side=512, size=None):
    """Decode a PNG or JPEG file's bytes into an array in [0, 1].

    rgb -- keep colour as (n_H, n_W, 3) (gray pictures stay (n_H, n_W)); False: always gray.
    max_side -- shrink (never enlarge) so that the longer side is at most this many pixels,
    keeping the aspect ratio; size -- (n_H, n_W) to resize to exactly instead.
    Raises ValueError with a sentence for the learner when the bytes are not a PNG or JPEG
    image, are corrupt or truncated, or hold too many pixels.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(content))
            kind = picture.format
            if kind not in ("PNG", "JPEG"):
                raise ValueError(f"this is a {kind or 'unknown'} file; please choose a PNG or JPEG image.")
            if picture.width * picture.height > MAX_PIXELS:
                raise ValueError(f"the picture has {picture.width}×{picture.height} pixels; at most "
                                 f"{MAX_PIXELS // 1_000_000} million are accepted.")
            picture.load()
    except UnidentifiedImageError:
        raise ValueError("this file is not an image that can be read; please choose a PNG or "
                         "JPEG image.") from None
    except (OSError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ValueError(f"the image could not be decoded ({exc}); it may be corrupt or "
                         "truncated.") from None
    colour = rgb and picture.mode not in ("L", "LA", "I", "I;16", "1")
    picture = picture.convert("RGB" if colour else "L")
    if size is not None:
        picture = picture.resize((size[1], size[0]), Image.Resampling.BOX)
    elif max(picture.size) > max_side:
        scale = max_side / max(picture.size)
        target = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        picture = picture.resize(target, Image.Resampling.BOX)
    return np.asarray(picture, dtype=np.float64) / 255.0
