"""Training-time augmentation for drawn digits.

MNIST digits are scanned pen strokes; people draw with a finger or a mouse. After the
app's MNIST-style preprocessing a drawing still differs from a scan in slant, aspect,
placement by a pixel or two, and above all stroke thickness (a small drawing with a
fixed-width brush becomes thick once scaled to 20 px). Each batch gets a random
affine warp and a random grey-scale dilation or erosion to cover that.

The warp is bicubic, not bilinear, and the ink keeps its strength: a bilinear warp
blurs every image and dims thin strokes, and a network trained on such images learns
to tell MNIST from drawings by the blur, so MNIST's own sharp test digits were read as
drawings. The cue it is meant to use is the ink's strength (preprocess.py INK_PEAK).
"""
import math

import torch
import torch.nn.functional as F


def random_affine(images, generator, max_degrees=15.0, scale=(0.85, 1.12), max_aspect=0.12,
                  max_shear=0.18, max_shift_px=2.0):
    """images: [N,1,28,28] in [0,1]. Each image gets its own rotation, scale, shear and shift."""
    n = images.shape[0]

    def uniform(low, high):
        return torch.rand(n, generator=generator) * (high - low) + low

    angle = uniform(-max_degrees, max_degrees) * math.pi / 180
    zoom = uniform(*scale)
    aspect = uniform(-max_aspect, max_aspect)
    shear = uniform(-max_shear, max_shear)
    shift = max_shift_px * 2 / 28
    tx, ty = uniform(-shift, shift), uniform(-shift, shift)

    # The grid maps output coordinates to input ones, so build the inverse transform.
    sx, sy = 1 / (zoom * (1 + aspect)), 1 / (zoom * (1 - aspect))
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = sx * cos
    theta[:, 0, 1] = sx * (-sin + shear)
    theta[:, 1, 0] = sy * sin
    theta[:, 1, 1] = sy * cos
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    return F.grid_sample(images, grid, mode="bicubic", padding_mode="zeros", align_corners=False)


def random_thickness(images, generator, p_thicker=0.3, p_thinner=0.15):
    """Grey-scale dilation (max filter) thickens strokes, erosion (min filter) thins them."""
    n = images.shape[0]
    choice = torch.rand(n, generator=generator)
    thicker = choice < p_thicker
    thinner = (choice >= p_thicker) & (choice < p_thicker + p_thinner)
    out = images.clone()
    if thicker.any():
        # A 2x2 max filter shifts the image by half a pixel; 3x3 is symmetric but strong,
        # so blend it: stroke edges grow by about one pixel.
        dilated = F.max_pool2d(images[thicker], 3, stride=1, padding=1)
        out[thicker] = 0.5 * images[thicker] + 0.5 * dilated
    if thinner.any():
        eroded = -F.max_pool2d(-images[thinner], 3, stride=1, padding=1)
        out[thinner] = 0.5 * images[thinner] + 0.5 * eroded
    return out


def keep_peak(augmented, images):
    """Scales each augmented image so that its strongest pixel is the original's."""
    before = images.amax((1, 2, 3), keepdim=True)
    after = augmented.amax((1, 2, 3), keepdim=True).clamp_min(1e-6)
    return (augmented * (before / after)).clamp_(0, 1)


def augment(images, generator):
    return keep_peak(random_thickness(random_affine(images, generator), generator).clamp_(0, 1), images)
