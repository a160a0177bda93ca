"""digits.py — the PyTorch peer of bench/digits.lr (examples/digits.lr
without early stopping) for `make bench`, timed as a whole process by
bench/run.py: Python's start, `import torch` and reading the CSV included.

The same work as lrc: examples/data/digits.csv read with numpy (1797 rows,
64 pixel columns and the label 'digit'); ceil(0.2 n) = 360 rows held out
for the test and ceil(0.1 n) = 180 for validation, chosen by a random
permutation, each part in file order; minmax normalization fitted on the
1257 training rows (a constant column keeps scale 1); dense(64, relu,
he_normal) -> dropout(0.1) -> dense(10, glorot_uniform) with softmax fused
into the cross-entropy; Adam lr=0.002, betas 0.9 and 0.999, epsilon 1e-7;
30 epochs of batches of 32 in a new order each epoch; after each epoch the
loss and accuracy on the training and validation parts, printed as lrc
prints them; then the loss and accuracy on the test part.
Usage: /usr/bin/python3 digits.py CSV [--threads N]"""
import math
import sys

import numpy as np
import torch


def he_normal_(w):
    """Keras's he_normal: normal truncated to 2 sigma, variance 2 / fan_in."""
    sigma = math.sqrt(2.0 / w.shape[1]) / 0.87962566103423978
    torch.nn.init.trunc_normal_(w, std=sigma, a=-2 * sigma, b=2 * sigma)


def measure(model, x, y):
    with torch.no_grad():
        out = model(x)
        loss = torch.nn.functional.cross_entropy(out, y).item()
        acc = (out.argmax(1) == y).float().mean().item()
    return loss, acc


def main():
    path = sys.argv[1]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--threads" else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)

    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    n = len(data)
    n_test, n_val = math.ceil(0.2 * n), math.ceil(0.1 * n)
    perm = rng.permutation(n)
    test_rows = np.sort(perm[:n_test])
    val_rows = np.sort(perm[n_test:n_test + n_val])
    train_rows = np.sort(perm[n_test + n_val:])
    x, y = data[:, :-1], data[:, -1].astype(np.int64)
    low = x[train_rows].min(axis=0)
    scale = x[train_rows].max(axis=0) - low
    scale[scale == 0] = 1.0
    x = (x - low) / scale
    parts = {name: (torch.from_numpy(np.ascontiguousarray(x[rows])), torch.from_numpy(y[rows]))
             for name, rows in (("train", train_rows), ("val", val_rows), ("test", test_rows))}

    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                torch.nn.Linear(64, 10))
    he_normal_(model[0].weight)
    torch.nn.init.xavier_uniform_(model[3].weight)
    for i in (0, 3):
        torch.nn.init.zeros_(model[i].bias)
    opt = torch.optim.Adam(model.parameters(), lr=0.002, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    xt, yt = parts["train"]
    epochs, batch = 30, 32
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        model.eval()
        loss, acc = measure(model, xt, yt)
        val_loss, val_acc = measure(model, *parts["val"])
        print(f"epoch {epoch}/{epochs} loss {loss:.6f} accuracy {acc:.6f} "
              f"val_loss {val_loss:.6f} val_accuracy {val_acc:.6f}")
    loss, acc = measure(model, *parts["test"])
    print(f"evaluate digits.test loss {loss:.6f} accuracy {acc:.6f}")


if __name__ == "__main__":
    main()
