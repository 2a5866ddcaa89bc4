"""Reading, writing and fetching MNIST-style IDX files.

The IDX format is a big-endian header (magic, then one uint32 per dimension)
followed by the raw values. Both the MNIST files and the feedback exports of
`digits-server export-feedback` use it, so retraining reads them the same way.
"""
import gzip
import hashlib
import os
import struct
import sys
import urllib.request

import numpy as np

from preprocess import INK_PEAK

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# MD5 of the uncompressed files: mirrors recompress them, so the .gz bytes differ.
MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}

MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

_UBYTE = 0x08


def read_idx(path):
    """Returns the array stored in an IDX file (.gz or plain); raises ValueError if malformed."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != _UBYTE or ndim == 0:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    header = 4 + 4 * ndim
    dims = struct.unpack(f">{ndim}I", data[4:header])
    count = int(np.prod(dims))
    if len(data) - header != count:
        raise ValueError(f"{path}: header promises {count} values, file holds {len(data) - header}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def write_idx(path, array):
    """Writes a uint8 array as IDX (gzip-compressed when path ends in .gz)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, _UBYTE, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


def _verify(path, name):
    with gzip.open(path, "rb") as f:
        digest = hashlib.md5(f.read()).hexdigest()
    if digest != MD5[name]:
        raise ValueError(f"{path}: checksum {digest} does not match the published {MD5[name]}")


def _download(folder, name):
    target = os.path.join(folder, name + ".gz")
    errors = []
    for mirror in MIRRORS:
        url = mirror + name + ".gz"
        try:
            print(f"downloading {url}", file=sys.stderr)
            with urllib.request.urlopen(url, timeout=30) as response, open(target + ".part", "wb") as out:
                out.write(response.read())
            _verify(target + ".part", name)
            os.replace(target + ".part", target)
            return target
        except Exception as error:  # try the next mirror, report all failures together
            errors.append(f"  {url}: {error}")
    raise SystemExit(
        f"could not download {name}.gz from any mirror:\n" + "\n".join(errors) +
        f"\nDownload the four MNIST .gz files by hand into {folder} and run again."
    )


def load_mnist(folder, download=True):
    """Returns (train_x, train_y, test_x, test_y) as uint8 arrays, fetching missing files."""
    os.makedirs(folder, exist_ok=True)
    arrays = {}
    for key, name in FILES.items():
        path = os.path.join(folder, name + ".gz")
        if not os.path.exists(path):
            if not download:
                raise SystemExit(f"{path} is missing")
            path = _download(folder, name)
        _verify(path, name)
        arrays[key] = read_idx(path)
    return arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"]


def at_ink_peak(images):
    """Feedback drawings logged before the app's preprocessing put a drawing's strongest
    ink at INK_PEAK carry full-strength ink: scaled as the app would make them today, so
    that they teach the drawings' conventions and not MNIST's."""
    old = images.reshape(len(images), -1).max(axis=1) > round(INK_PEAK * 255)
    out = images.copy()
    out[old] = np.floor(images[old] * INK_PEAK + 0.5).astype(np.uint8)
    return out


def load_extra(folder):
    """Loads feedback samples exported by the server (images-idx3 / labels-idx1 pairs in
    folder), every drawing's ink at INK_PEAK."""
    images, labels = [], []
    for entry in sorted(os.listdir(folder)):
        if "images-idx3-ubyte" not in entry:
            continue
        label_path = os.path.join(folder, entry.replace("images-idx3", "labels-idx1"))
        x, y = read_idx(os.path.join(folder, entry)), read_idx(label_path)
        if x.shape[1:] != (28, 28) or len(x) != len(y) or (y > 9).any():
            raise ValueError(f"{entry}: expected N 28x28 images with labels 0-9")
        images.append(x)
        labels.append(y)
    if not images:
        raise SystemExit(f"no *images-idx3-ubyte* files in {folder}")
    return at_ink_peak(np.concatenate(images)), np.concatenate(labels)
