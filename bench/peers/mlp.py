"""mlp.py — the PyTorch peer of bench/mlp.lr for `make bench`.

The same work as lrc: 60000 samples of 784 features in 10 blobs (centers
uniform in [-10, 10], spread 8, sample i of class i mod 10); a 784-512-512-10
perceptron, ReLU, glorot_uniform kernels and zero biases; softmax
cross-entropy on the logits (fused, as lrc fuses it); SGD lr=0.01 momentum
0.9 (PyTorch's v = 0.9 v + g, p -= lr v is lrc's v = 0.9 v - lr g, p += v at a
constant rate); one epoch of batches of 128 in a random order, the last of
96; then, as lrc does after every epoch, the loss on all training rows by
batches of 128 without gradients.

Prints the epoch line as lrc does, then on stderr
`peer: steps A s, measuring B s` (time.perf_counter; imports and data
generation excluded): A the epoch of updates, B the pass that measures it.
Usage: /usr/bin/python3 mlp.py [--threads N]"""
import sys
import time

import torch


def main():
    threads = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--threads" else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    n, features, classes, spread, batch = 60000, 784, 10, 8.0, 128
    centers = torch.rand(classes, features) * 20.0 - 10.0
    labels = torch.arange(n) % classes
    x = torch.randn(n, features).mul_(spread)  # in place: one copy of the data, as lrc
    for c in range(classes):
        x[c::classes] += centers[c]

    model = torch.nn.Sequential(
        torch.nn.Linear(features, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, classes))
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    start = time.perf_counter()
    model.train()
    order = torch.randperm(n)
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), labels[idx])
        loss.backward()
        opt.step()
    steps = time.perf_counter() - start

    start = time.perf_counter()
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, n, batch):
            total += torch.nn.functional.cross_entropy(
                model(x[i:i + batch]), labels[i:i + batch], reduction="sum").item()
    measuring = time.perf_counter() - start
    print(f"epoch 1/1 loss {total / n:.6f}")
    print(f"peer: steps {steps:.6f} s, measuring {measuring:.6f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
