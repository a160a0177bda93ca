#!/usr/bin/env python3
"""model_numpy.py - a model lrc saved (model.safetensors), rebuilt from its
metadata alone and run with numpy: no lrc, no .lr file, no run.json. It
shows that the description (lrc(1), FILES) is enough to use the model
anywhere, and checks lrc against code that shares none of it.

  python3 tests/model_numpy.py MODEL.safetensors DATA.csv LABEL
      reads DATA.csv (a header; the model's input columns found by name,
      LABEL the class index of each row), runs the model on every row and
      prints "accuracy A loss L" (A the share of rows whose largest output
      is their class, L the mean categorical cross-entropy; %.6f, as lrc's
      evaluate prints them).
  python3 tests/model_numpy.py --params MODEL.safetensors
      prints the parameter count of each layer (name count), counted from
      the tensors, then "total N".
"""
import csv
import json
import os
import struct
import sys

try:
    import numpy as np
except ImportError:
    system = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system):
        os.execv(system, [system] + sys.argv)
    sys.exit("model_numpy.py: numpy is missing (Debian: apt-get install python3-numpy)")


def load(path):
    """The model in path: its metadata (JSON values decoded) and a dict of
    float32 tensors."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = dict(header.pop("__metadata__", {}))
    if "lrc_model" not in meta:
        sys.exit("model_numpy.py: %s has no model description" % path)
    for key in ("inputs", "normalize", "layers", "targets", "classes", "loss"):
        if key in meta:
            meta[key] = json.loads(meta[key])
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype="<f4").reshape(entry["shape"])
    return meta, tensors


ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True))
    / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
}


def forward(meta, tensors, x):
    """The outputs for raw features x (rows x inputs, in meta["inputs"]
    order): the saved normalization, then each layer; dropout passes its
    input through, as at inference."""
    x = np.asarray(x, dtype=np.float32)
    norm = meta["normalize"]
    if norm["kind"] != "none":
        x = (x - np.array(norm["offset"], np.float32)) / np.array(norm["scale"], np.float32)
    for layer in meta["layers"]:
        if layer["kind"] == "dense":
            x = x @ tensors[layer["name"] + "/kernel"] + tensors[layer["name"] + "/bias"]
        if layer["kind"] in ("dense", "activation"):
            x = ACTIVATIONS[layer["activation"]](x)
    return x


def evaluate(model_path, csv_path, label):
    meta, tensors = load(model_path)
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in meta["inputs"]] for r in rows], np.float32)
    y = np.array([int(float(r[label])) for r in rows])
    p = forward(meta, tensors, x).astype(np.float64)
    accuracy = float(np.mean(p.argmax(axis=1) == y))
    loss = float(np.mean(-np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1))))
    print("accuracy %.6f loss %.6f" % (accuracy, loss))


def params(model_path):
    meta, tensors = load(model_path)
    total = 0
    for layer in meta["layers"]:
        count = sum(tensors[layer["name"] + part].size for part in ("/kernel", "/bias")
                    if layer["name"] + part in tensors)
        print(layer["name"], count)
        total += count
    print("total", total)


if __name__ == "__main__":
    if len(sys.argv) == 4:
        evaluate(*sys.argv[1:])
    elif len(sys.argv) == 3 and sys.argv[1] == "--params":
        params(sys.argv[2])
    else:
        sys.exit(__doc__)
