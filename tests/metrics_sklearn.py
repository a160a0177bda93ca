#!/usr/bin/python3
"""metrics_sklearn.py — the independent reference for lrc's metrics of the
whole part (tests/golden/metrics.sh).

  metrics_sklearn.py data DIR
      writes the golden test's CSV files (numpy, fixed seeds): a binary
      problem whose probe rows lie on a coarse grid (so that many share
      their features, hence their score: ties for auc), three imbalanced
      classes, and a regression with two targets
  metrics_sklearn.py predict MODEL DATA.csv OUT.csv
      runs a model saved by lrc on DATA.csv in numpy, from nothing but the
      safetensors file: its __metadata__ names the inputs, the
      normalization and the layers (src/model.h); writes the targets and
      the model's outputs (true_*, pred_*)
  metrics_sklearn.py compare KIND PRED.csv STDOUT LABEL [confusion]
      computes with scikit-learn, from PRED.csv, every metric the line
      `evaluate LABEL ...` of lrc's STDOUT printed (KIND binary, classes or
      regression) and, for a classifier, the confusion matrix that must
      follow it (with confusion; without, none may), and prints
      "ok NAME" or "not ok NAME: why" for each: a printed value (6
      decimals) must be within half its last digit of scikit-learn's.
  metrics_sklearn.py check KIND STDOUT MODEL LABEL=DATA.csv[:confusion]...
      predict and compare for each evaluated part, in one process (the
      predictions go to STDOUT's name less .out, -LABEL.pred.csv)
"""
import csv
import json
import struct
import sys

import numpy as np


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["%.6g" % v if isinstance(v, float) else v for v in r])


def make_data(out):
    rng = np.random.default_rng(20261130)
    # Binary: the class of a noisy linear rule. Probe rows on a 0.5 grid
    # (81 points for 300 rows): rows that share a point share a score, often
    # with both labels.
    def binary(n, grid):
        x = rng.uniform(-2, 2, size=(n, 2))
        if grid:
            x = np.round(x * 2) / 2
        y = (x[:, 0] - 0.5 * x[:, 1] + rng.normal(0, 0.7, n) > 0.3).astype(int)
        return [[float(a), float(b), int(c)] for (a, b), c in zip(x, y)]
    write_csv(f"{out}/train_binary.csv", ["x1", "x2", "y"], binary(400, False))
    write_csv(f"{out}/probe_binary.csv", ["x1", "x2", "y"], binary(300, True))

    # Three classes in proportions 0.75, 0.2, 0.05, overlapping.
    def classes(n):
        y = rng.choice(3, size=n, p=[0.75, 0.2, 0.05])
        centres = np.array([[0, 0], [1.2, 0.6], [0.2, 0.3]])
        x = centres[y] + rng.normal(0, 0.8, size=(n, 2))
        return [[float(a), float(b), int(c)] for (a, b), c in zip(x, y)]
    write_csv(f"{out}/train_classes.csv", ["x1", "x2", "y"], classes(500))
    write_csv(f"{out}/probe_classes.csv", ["x1", "x2", "y"], classes(300))

    # Regression, two targets: one linear, one not.
    def regression(n):
        x = rng.uniform(-1, 1, size=(n, 3))
        y1 = x @ np.array([1.5, -2.0, 0.5]) + 0.3 + rng.normal(0, 0.2, n)
        y2 = np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + rng.normal(0, 0.1, n)
        return [[float(v) for v in (*r, a, b)] for r, a, b in zip(x, y1, y2)]
    write_csv(f"{out}/train_regression.csv", ["x1", "x2", "x3", "y1", "y2"], regression(400))
    write_csv(f"{out}/probe_regression.csv", ["x1", "x2", "x3", "y1", "y2"], regression(300))


def read_model(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        a, b = info["data_offsets"]
        tensors[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
    return meta, tensors


def activate(kind, z):
    if kind == "linear":
        return z
    if kind == "relu":
        return np.maximum(z, 0)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if kind == "tanh":
        return np.tanh(z)
    if kind == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(kind)


def predict(model, data, out):
    meta, tensors = read_model(model)
    assert meta["format"] == "lrc-model"
    with open(data, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    x = np.array([[float(r[header.index(c)]) for c in json.loads(meta["inputs"])] for r in body],
                 dtype=np.float32)
    targets = json.loads(meta["targets"])
    y = np.array([[float(r[header.index(c)]) for c in targets] for r in body])
    # The input transform in float32, as lrc stores the normalized data.
    if json.loads(meta["normalize"])["kind"] != "none":
        x = (x - tensors["normalize/offset"]) / tensors["normalize/scale"]
    h = x.astype(np.float64)
    for layer in json.loads(meta["layers"]):
        if layer["kind"] == "dense":
            h = h @ tensors[layer["name"] + "/kernel"].astype(np.float64) \
                + tensors[layer["name"] + "/bias"].astype(np.float64)
            h = activate(layer["activation"], h)
        elif layer["kind"] == "activation":
            h = activate(layer["activation"], h)
        # dropout passes everything at inference
    header = ["true_" + t for t in targets] + ["pred_%d" % j for j in range(h.shape[1])]
    write_csv(out, header, [[*(repr(float(v)) for v in a), *(repr(float(v)) for v in b)]
                            for a, b in zip(y, h)])


def reference(kind, pred):
    # Here, not at the top: `data` and `predict` need no scikit-learn, whose
    # import takes a second.
    from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, mean_squared_error,
                                 precision_score, r2_score, recall_score, roc_auc_score)
    with open(pred, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array([[float(v) for v in r] for r in rows[1:]])
    ntrue = sum(1 for c in header if c.startswith("true_"))
    y, p = body[:, :ntrue], body[:, ntrue:]
    if kind == "regression":
        return {"mse": mean_squared_error(y, p), "r2": r2_score(y, p)}, None
    if kind == "binary":
        truth, score = (y[:, 0] > 0.5).astype(int), p[:, 0]
        guess = (score > 0.5).astype(int)
        got = {"auc": roc_auc_score(truth, score)}
        average, labels = "binary", [0, 1]
    else:
        truth, guess = y[:, 0].astype(int), p.argmax(axis=1)
        got = {}
        average, labels = "macro", list(range(p.shape[1]))
    got.update(accuracy=accuracy_score(truth, guess),
               precision=precision_score(truth, guess, average=average, zero_division=0),
               recall=recall_score(truth, guess, average=average, zero_division=0),
               f1=f1_score(truth, guess, average=average, zero_division=0))
    return got, confusion_matrix(truth, guess, labels=labels)


def compare(kind, pred, stdout, label, confusion):
    want, matrix = reference(kind, pred)
    lines = open(stdout).read().split("\n")
    at = [i for i, l in enumerate(lines) if l.startswith("evaluate %s loss " % label)]
    if len(at) != 1:
        print("not ok %s %s: no single 'evaluate %s' line in lrc's output" % (kind, label, label))
        return
    words = lines[at[0]].split()[4:]
    printed = dict(zip(words[0::2], words[1::2]))
    for name, value in printed.items():
        test = "%s %s %s = scikit-learn's" % (kind, label, name)
        if name not in want:
            print("not ok %s: no reference for %s" % (test, name))
        elif abs(float(value) - want[name]) <= 0.5e-6 + 1e-12:
            print("ok %s (%s, reference %.9f)" % (test, value, want[name]))
        else:
            print("not ok %s: lrc %s, scikit-learn %.9f" % (test, value, want[name]))
    if matrix is None:
        return
    test = "%s %s confusion matrix %s" % (kind, label,
                                          "= scikit-learn's" if confusion else "not printed")
    following = lines[at[0] + 1:at[0] + 3 + len(matrix)]
    printed = bool(following) and following[0].startswith("confusion %s " % label)
    if not confusion:
        print(("not ok %s: printed" if printed else "ok %s") % test)
        return
    got = [[int(v) for v in row.split()[1:]] for row in following[2:]] if printed else None
    if got == matrix.tolist():
        print("ok %s %s" % (test, matrix.tolist()))
    else:
        print("not ok %s: lrc %s, scikit-learn %s" % (test, got, matrix.tolist()))


def main(argv):
    if argv[1] == "data":
        make_data(argv[2])
    elif argv[1] == "predict":
        predict(argv[2], argv[3], argv[4])
    elif argv[1] == "compare":
        compare(argv[2], argv[3], argv[4], argv[5], argv[6:] == ["confusion"])
    elif argv[1] == "check":
        kind, stdout, model = argv[2:5]
        for part in argv[5:]:
            label, data = part.split("=")
            data, _, confusion = data.partition(":")
            pred = "%s-%s.pred.csv" % (stdout.rsplit(".", 1)[0], label)
            predict(model, data, pred)
            compare(kind, pred, stdout, label, confusion == "confusion")
    else:
        sys.exit("usage: see the comment at the top of " + argv[0])


if __name__ == "__main__":
    main(sys.argv)
