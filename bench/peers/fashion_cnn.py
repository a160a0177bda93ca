"""fashion_cnn.py — the PyTorch peer of bench/fashion_cnn.lr for `make bench`.

The same network on the same data: Fashion-MNIST's IDX files (gzip) from
the data path (LRC_DATA_PATH's first directory holding fashion-mnist/, else
/usr/share/datasets), pixels / 255; conv2d(32, 3) relu -> maxpool 2 ->
conv2d(64, 3) relu -> maxpool 2 -> flatten -> linear 128 relu -> linear 10,
in NCHW as torch wants it (PyTorch's default initialization; lrc uses
Keras's, which changes the numbers but not the work); softmax
cross-entropy on the logits; adam lr 0.001; one epoch of batches of 128 in
a random order (the last of 96). Then the accuracy on the 10000 test
images, without gradients, in batches of 1000.

Prints `peer: loop A s, test accuracy B` on stderr, A the epoch of updates
alone (time.perf_counter; imports and reading the files excluded).
Usage: /usr/bin/python3 fashion_cnn.py [--threads N]"""
import gzip
import os
import sys
import time

import numpy as np
import torch


def data_dir():
    for d in os.environ.get("LRC_DATA_PATH", "").split(":") + ["/usr/share/datasets"]:
        if d and os.path.isdir(os.path.join(d, "fashion-mnist")):
            return os.path.join(d, "fashion-mnist")
    sys.exit("fashion_cnn.py: no fashion-mnist directory on the data path")


def idx(path, offset):
    """The values of a gzip-compressed IDX file of unsigned bytes after its
    header of `offset` bytes."""
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load(prefix):
    d = data_dir()
    images = idx(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz"), 16)
    labels = idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz"), 8)
    x = torch.from_numpy(images.reshape(-1, 1, 28, 28).astype(np.float32) / 255.0)
    return x, torch.from_numpy(labels.astype(np.int64))


def main():
    threads = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--threads" else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x, y = load("train")
    x_test, y_test = load("t10k")
    n, batch = x.shape[0], 128

    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 5 * 5, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()

    start = time.perf_counter()
    model.train()
    order = torch.randperm(n)
    for i in range(0, n, batch):
        idx_ = order[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx_]), y[idx_])
        loss.backward()
        opt.step()
    loop = time.perf_counter() - start

    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x_test.shape[0], 1000):
            correct += (model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum().item()
    accuracy = correct / x_test.shape[0]
    print(f"test accuracy {accuracy:.6f}")
    print(f"peer: loop {loop:.6f} s, test accuracy {accuracy:.6f}", file=sys.stderr)


if __name__ == "__main__":
    main()
