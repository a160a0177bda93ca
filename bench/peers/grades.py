"""grades.py — the PyTorch peer of examples/students.lr for `make bench`.

The same work as lrc: 10000 samples y = x . [0.3, 0.3, 0.4] + 0.2 N(0, 1)
with x uniform in [0, 5]^3; dense(1) initialized normal(stddev=0.01), bias
zeros; mse; plain SGD lr=0.002; 4 epochs of batches of 8 in a new random
order each epoch (the last batch used even if smaller); after each epoch
the loss on all training rows, printed as lrc prints it; then the weights.

The batches are sliced from tensors with a permutation (no DataLoader,
which is several times slower at batch 8): the fastest plain PyTorch loop.
Times its training loop alone (epochs and their loss lines, not the imports
nor the data) with time.perf_counter and prints `peer: loop X s` on stderr.
Usage: /usr/bin/python3 grades.py [--threads N]"""
import sys
import time

import torch


def main():
    threads = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--threads" else 1
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    n, epochs, batch = 10000, 4, 8
    x = torch.rand(n, 3) * 5.0
    y = x @ torch.tensor([[0.3], [0.3], [0.4]]) + 0.2 * torch.randn(n, 1)

    model = torch.nn.Linear(3, 1)
    torch.nn.init.normal_(model.weight, std=0.01)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=0.002)
    loss_fn = torch.nn.MSELoss()

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            print(f"epoch {epoch}/{epochs} loss {loss_fn(model(x), y).item():.6f}")
    seconds = time.perf_counter() - start
    w = model.weight.detach().view(-1).tolist()
    print("dense weights [%s] bias %.4f" % (" ".join("%.4f" % v for v in w), model.bias.item()))
    print(f"peer: loop {seconds:.6f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
