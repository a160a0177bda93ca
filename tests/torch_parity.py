#!/usr/bin/env python3
"""torch_parity.py - one SGD step of a small image model in lrc and in
PyTorch from the same weights (issue 13, "Runtime"): the updated
parameters, the moving statistics and the outputs after the step must
agree.

  /usr/bin/python3 tests/torch_parity.py LRC DIR

The model, conv2d(4, kernel=[2, 3], padding=same, activation=relu) ->
maxpool2d -> batchnorm -> flatten -> dense(3, activation=softmax), reads 8
images of 6x6x2 from a CSV file (csv's shape=); the relu gives conv2d's
bias a gradient (without it the batchnorm would cancel it). lrc saves
its initial model; the script replaces every tensor with values of its
own (so that nothing is at an initializer's default: the moving
statistics too), lrc loads them and takes one step of SGD on all 8 rows (batch 8, no shuffle), and
PyTorch takes the same step in float64 with its own conv2d, max_pool2d,
batch_norm and cross_entropy. Layouts are converted, not shared: images
NHWC -> NCHW, the kernel [kh, kw, in, out] -> [out, in, kh, kw], the
flatten of channels-last values; TensorFlow's "same" padding puts the
odd row at the bottom (F.pad before the convolution).

Every updated tensor (old - lr * gradient) must match within float32
tolerance; so must the moving mean. The moving variance differs on
purpose: lrc (as Keras 3) moves it with the batch's biased variance,
PyTorch with the unbiased one (n / (n - 1) larger); the script checks
that lrc's equals PyTorch's with that factor taken out, and that the two
differ without it. Last, the loss lrc reports for the epoch and the
probabilities its predict writes (inference: the moving statistics) are
recomputed by PyTorch's eval mode from the updated model.

Prints "ok NAME" / "not ok NAME: why" lines; without torch, one "ok # skip"
line with the reason.
"""
import csv
import json
import os
import struct
import subprocess
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print("ok # skip PyTorch parity: %s has no %s" % (sys.executable, e.name))
    sys.exit(0)

H, W, C, N, FILTERS, CLASSES, LR = 6, 6, 2, 8, 4, 3, 0.1
MOMENTUM, EPS = 0.99, 0.001
failures = 0


def report(name, good, why=""):
    global failures
    if good:
        print("ok parity: " + name)
    else:
        failures += 1
        print("not ok parity: %s: %s" % (name, why))


def read_safetensors(path):
    """The header (tensor name -> entry), the data offset and the raw bytes."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return header, 8 + n, bytearray(raw)


def tensors(path):
    header, base, raw = read_safetensors(path)
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(bytes(raw[base + b:base + end]), "<f4").reshape(e["shape"]).astype(np.float64)
    return out


def replace_tensors(path, values):
    """Writes values (name -> array of the tensor's shape) over the tensors of
    the file at path, in place: the header and the description stay."""
    header, base, raw = read_safetensors(path)
    for name, v in values.items():
        e = header[name]
        b, end = e["data_offsets"]
        data = np.asarray(v, "<f4").reshape(e["shape"]).tobytes()
        assert len(data) == end - b, name
        raw[base + b:base + end] = data
    open(path, "wb").write(bytes(raw))


def run(lrc, args, cwd):
    p = subprocess.run([lrc] + args, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("torch_parity.py: lrc %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr[:400]))
    return p.stdout


def main(lrc, work):
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(13)
    x = rng.normal(size=(N, H, W, C)).astype(np.float32)
    y = np.arange(N) % CLASSES
    with open(os.path.join(work, "images.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["p%d" % i for i in range(H * W * C)] + ["label"])
        for row, label in zip(x.reshape(N, -1), y):
            w.writerow([repr(float(v)) for v in row] + [int(label)])

    def experiment(name, load, lr):
        text = ('seed 1\n'
                'dataset d = csv("images.csv", label="label", shape=[%d, %d, %d])\n' % (H, W, C) +
                ('load "init.safetensors"\n' if load else '') +
                'model conv2d(%d, kernel=[2, 3], padding=same, activation=relu) -> maxpool2d ->\n'
                '      batchnorm -> flatten -> dense(%d, activation=softmax)\n' % (FILTERS, CLASSES) +
                'loss categorical_crossentropy\n'
                'optimizer sgd lr=%r\n' % lr +
                'train epochs=1 batch=%d shuffle=false\n' % N +
                ('predict on=d to="step/predictions.csv"\n' if load else ''))
        open(os.path.join(work, name), "w").write(text)

    # lrc's initial model gives the file's description; its values are
    # replaced by known ones.
    experiment("init.lr", False, 0.0)
    run(lrc, ["--quiet", "--out", "init", "init.lr"], work)
    init = os.path.join(work, "init.safetensors")
    os.replace(os.path.join(work, "init", "model.safetensors"), init)
    shapes = {k: v.shape for k, v in tensors(init).items()}
    old = {k: rng.normal(scale=0.5, size=s) for k, s in shapes.items()}
    old["batch_normalization/gamma"] = 1 + 0.3 * rng.normal(size=FILTERS)
    old["batch_normalization/moving_mean"] = 0.1 * rng.normal(size=FILTERS)
    old["batch_normalization/moving_variance"] = 1 + rng.uniform(0, 0.5, size=FILTERS)
    replace_tensors(init, old)
    old = tensors(init)  # as float32 holds them

    experiment("step.lr", True, LR)
    out = run(lrc, ["--quiet", "--threads", "1", "--out", "step", "step.lr"], work)
    new = tensors(os.path.join(work, "step", "model.safetensors"))
    report("lrc's model has every tensor PyTorch's does", set(new) == set(old), sorted(set(new) ^ set(old)))

    # PyTorch, float64: the same step.
    t = {k: torch.tensor(v, requires_grad=not k.endswith(("moving_mean", "moving_variance")))
         for k, v in old.items()}
    kernel = t["conv2d/kernel"].permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
    running_mean = t["batch_normalization/moving_mean"].detach().clone()
    running_var = t["batch_normalization/moving_variance"].detach().clone()

    def forward(training):
        images = torch.tensor(x, dtype=torch.float64).permute(0, 3, 1, 2)
        # TensorFlow's same padding: kernel 2 pads one row, at the bottom;
        # kernel 3 one column each side.
        h = F.relu(F.conv2d(F.pad(images, (1, 1, 0, 1)), kernel, t["conv2d/bias"]))
        h = F.max_pool2d(h, 2)
        h = F.batch_norm(h, running_mean, running_var, t["batch_normalization/gamma"],
                         t["batch_normalization/beta"], training=training,
                         momentum=1 - MOMENTUM, eps=EPS)
        h = h.permute(0, 2, 3, 1).reshape(N, -1)  # channels-last flatten
        return h @ t["dense/kernel"] + t["dense/bias"]

    logits = forward(True)
    loss = F.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    with torch.no_grad():
        images = torch.tensor(x, dtype=torch.float64).permute(0, 3, 1, 2)
        pooled = F.max_pool2d(F.relu(F.conv2d(F.pad(images, (1, 1, 0, 1)), kernel, t["conv2d/bias"])), 2)
        pooled_var = pooled.var(dim=(0, 2, 3), unbiased=False).numpy()
    m = N * (H // 2) * (W // 2)  # values per channel the batch statistics span

    for name in sorted(old):
        if name.endswith(("moving_mean", "moving_variance")):
            continue
        want = old[name] - LR * t[name].grad.numpy()
        err = np.max(np.abs(new[name] - want))
        grad_lrc = (old[name] - new[name]) / LR
        report("%s after one step: old - lr * torch's gradient (max error %.2g)" % (name, err),
               np.allclose(new[name], want, rtol=1e-5, atol=1e-6) and
               np.allclose(grad_lrc, t[name].grad.numpy(), rtol=1e-3, atol=1e-4),
               "lrc %s, torch %s" % (new[name].ravel()[:4], want.ravel()[:4]))

    mean = "batch_normalization/moving_mean"
    report("moving mean: momentum * old + (1 - momentum) * batch mean, as torch's running_mean",
           np.allclose(new[mean], running_mean.numpy(), rtol=1e-5, atol=1e-6),
           "lrc %s torch %s" % (new[mean], running_mean.numpy()))
    var = "batch_normalization/moving_variance"
    bessel = m / (m - 1)
    torch_biased = MOMENTUM * old[var] + (1 - MOMENTUM) * (running_var.numpy() - MOMENTUM * old[var]) / (1 - MOMENTUM) / bessel
    report("moving variance: torch's running_var with its Bessel factor n/(n-1) taken out (n = %d)" % m,
           np.allclose(new[var], torch_biased, rtol=1e-5, atol=1e-6) and
           np.allclose(new[var], MOMENTUM * old[var] + (1 - MOMENTUM) * pooled_var, rtol=1e-5, atol=1e-6),
           "lrc %s torch (biased) %s" % (new[var], torch_biased))
    report("moving variance differs from torch's unbiased running_var (as Keras 3's does)",
           not np.allclose(new[var], running_var.numpy(), rtol=1e-7, atol=0),
           "lrc %s torch %s" % (new[var], running_var.numpy()))

    # After the step: inference on the updated model, lrc's moving
    # statistics in place of torch's unbiased running variance.
    with torch.no_grad():
        for name in t:
            if not name.endswith(("moving_mean", "moving_variance")):
                t[name].copy_(torch.tensor(new[name]))
        kernel = t["conv2d/kernel"].permute(3, 2, 0, 1)
        running_mean.copy_(torch.tensor(new[mean]))
        running_var.copy_(torch.tensor(new[var]))
        logits = forward(False)
        probs = F.softmax(logits, dim=1).numpy()
        loss = float(F.cross_entropy(logits, torch.tensor(y)))
    got = float(out.split()[3])  # "epoch 1/1 loss L"
    report("the epoch's loss (inference, moving statistics): torch's %.6f" % loss,
           abs(got - loss) <= 1e-6 + 1e-5 * loss, "lrc %s torch %.6f" % (got, loss))
    with open(os.path.join(work, "step", "predictions.csv")) as f:
        rows = list(csv.DictReader(f))
    lrc_probs = np.array([[float(r["prob_%d" % k]) for k in range(CLASSES)] for r in rows])
    report("predict's probabilities: torch's eval mode (max error %.2g)" % np.max(np.abs(lrc_probs - probs)),
           np.allclose(lrc_probs, probs, rtol=1e-5, atol=1e-6),
           "lrc %s torch %s" % (lrc_probs[0], probs[0]))
    return failures


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(1 if main(os.path.abspath(sys.argv[1]), sys.argv[2]) else 0)
