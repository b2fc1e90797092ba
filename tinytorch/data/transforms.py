# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import numbers

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.data.loader import _as_generator, _random


def _values(name, img):
    """The NumPy values of an image (C, H, W) or a batch of images (N, C, H, W), Tensor
    or array."""
    values = img.data if isinstance(img, Tensor) else np.asarray(img)
    if values.ndim < 3:
        raise ValueError(f"{name}: expected an image (C, H, W) or a batch (N, C, H, "
                         f"W), got shape {values.shape}")
    return values


def _image(values):
    """`values` as a Tensor; transforms prepare data, so the result records no autograd
    history."""
    return Tensor.from_op(values, "transform", ())


class Compose:
    """Apply transforms one after another: Compose([t1, t2])(x) == t2(t1(x))."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    @property
    def batched(self):
        """True when every transform also takes a batch (N, C, H, W)."""
        return (all(getattr(transform, "batched",
                            False) for transform in self.transforms))

    def __repr__(self):
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class Normalize:
    """Per-channel standardisation: out[..., c, :, :] = (x[..., c, :, :] - mean[c]) /
    std[c].

    Args: mean, std: one value per channel, or one for all; inplace: overwrite the
        input.
    Shape: (C, H, W) or a batch (N, C, H, W) -> the same. The input must be floating
        point.
    """

    batched = True

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        x = _values("Normalize", tensor)
        if x.dtype.kind != "f":
            raise TypeError("Normalize: the input should be a float tensor, got "
                            f"{x.dtype} (scale images to float32 in [0, 1] first)")
        mean = np.asarray(self.mean, dtype=x.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=x.dtype).reshape(-1, 1, 1)
        channels = x.shape[-3]
        if len(mean) not in (1, channels) or len(std) not in (1, channels):
            raise ValueError(f"Normalize: {len(mean)} means and {len(std)} stds do not "
                             f"fit images with {channels} channels (input shape "
                             f"{x.shape})")
        if np.any(std == 0):
            raise ValueError(f"Normalize: std {self.std} contains a zero, which would "
                             "divide by zero")
        if self.inplace:  # overwrite the input's values
            x -= mean
            out = x
        else:
            out = np.subtract(x, mean)  # one new array, then divide it in place
        out /= std
        return tensor if self.inplace and isinstance(tensor, Tensor) else _image(out)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class RandomHorizontalFlip:
    """Mirror an image left to right (reverse its last axis) with probability p.

    Args: p: probability of flipping; generator: None (tinytorch's default generator),
        an int
    seed or a np.random.Generator.
    Shape: (C, H, W) -> the same; a batch (N, C, H, W) -> the same, one coin per image.
    """

    batched = True

    def __init__(self, p=0.5, *, generator=None):
        self.p = p
        self.generator = generator
        self._rng = _as_generator(generator)

    def __call__(self, img):
        x = _values("RandomHorizontalFlip", img)
        rng = _random(self._rng)
        if x.ndim == 3:  # a single image
            if rng.random() < self.p:
                return _image(x[..., ::-1].copy())
            return img if isinstance(img, Tensor) else _image(x)
        flip = rng.random(x.shape[0]) < self.p
        mirrored = x.copy()
        mirrored[flip] = x[flip][..., ::-1]
        return _image(mirrored)

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


def _sides(padding):
    """(left, top, right, bottom) from an int, (all,), (left/right, top/bottom) or a
    4-tuple."""
    sides = (padding,) if isinstance(padding, numbers.Integral) else tuple(padding)
    if (len(sides) in (1, 2, 4)
        and all(isinstance(s, numbers.Integral) and s >= 0 for s in sides)):
        return tuple(int(s) for s in sides * (4 // len(sides)))
    raise ValueError("RandomCrop: padding must be a non-negative int or a sequence of "
                     f"1, 2 or 4 of them, got {padding!r}")


class RandomCrop:
    """Cut a window of `size` at a random position out of an image, after optional
    padding.

    Args:
        size: an int (square window) or (height, width).
        padding: None, an int for every side, (left/right, top/bottom) or (left, top,
            right, bottom).
        pad_if_needed: pad an image smaller than `size` (by the shortfall, on both
            sides) instead of raising.
        fill: the padding value for padding_mode "constant".
        padding_mode: "constant", "edge", "reflect" or "symmetric" (as np.pad).
        generator: None (tinytorch's default generator), an int seed or a
            np.random.Generator.
    Shape: (C, H, W) -> (C, height, width); a batch (N, C, H, W) -> (N, C, height,
        width), each
    image with its own window.
    """

    batched = True

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0,
                 padding_mode="constant", *, generator=None):
        size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
        self.size = tuple(int(s) for s in (size * 2 if len(size) == 1 else size))
        if len(self.size) != 2:
            raise ValueError("RandomCrop: size must be an int or (height, width), got "
                             f"{size!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("RandomCrop: padding_mode must be 'constant', 'edge', "
                             f"'reflect' or 'symmetric', got {padding_mode!r}")
        if padding is not None:
            _sides(padding)  # check it now rather than on the first image
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode
        self.generator = generator
        self._rng = _as_generator(generator)

    def _pad(self, x, left, top, right, bottom):
        """x padded on its last two axes."""
        # faster than np.pad: fill, then copy the image in
        if self.padding_mode == "constant":
            rows, cols = x.shape[-2:]
            out = np.full(x.shape[:-2] + (top + rows + bottom, left + cols + right),
                          self.fill, dtype=x.dtype)
            out[..., top:top + rows, left:left + cols] = x
            return out
        widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
        return np.pad(x, widths, mode=self.padding_mode)

    def __call__(self, img):
        x = _values("RandomCrop", img)
        height, width = self.size
        if self.padding is not None:
            x = self._pad(x, *_sides(self.padding))
        if self.pad_if_needed and x.shape[-1] < width:
            x = self._pad(x, width - x.shape[-1], 0, width - x.shape[-1], 0)
        if self.pad_if_needed and x.shape[-2] < height:
            x = self._pad(x, 0, height - x.shape[-2], 0, height - x.shape[-2])
        rows, cols = x.shape[-2:]
        if height > rows or width > cols:
            raise ValueError(f"RandomCrop: required crop size {(height, width)} is "
                             f"larger than the (padded) image size {(rows, cols)}")
        # (n, C, rows, cols)
        batch = x.reshape((-1,) + x.shape[-3:]) if x.ndim > 3 else x[None]
        n_images = batch.shape[0]
        rng = _random(self._rng)
        top = rng.integers(0, rows - height + 1, size=n_images)
        left = rng.integers(0, cols - width + 1, size=n_images)
        window_view = np.lib.stride_tricks.sliding_window_view
        windows = window_view(batch, (height, width), axis=(2, 3))
        crops = windows[np.arange(n_images), :, top, left]  # (n, C, height, width)
        return _image(crops.reshape(x.shape[:-2] + (height, width)))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"
