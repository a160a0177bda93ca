"""predict.py — PyTorch's side of the predict workload of `make bench`:
the forward pass of the model `lrc predict` runs, on the same rows. The
weights, normalization and layer chain are read from the model's
safetensors file (its header and its description), the rows from a .npy
copy of the CSV file lrc reads (made with it, not timed); the forward pass
(standardization, 784-512-512-10 with ReLU, softmax) runs in blocks of
1024 rows without gradients, timed alone with time.perf_counter, and
prints `peer: forward X s, R rows` on stderr.
Usage: /usr/bin/python3 predict.py MODEL.safetensors ROWS.npy [--threads N]"""
import json
import struct
import sys
import time

import numpy as np
import torch


def tensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    out = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        out[name] = torch.from_numpy(
            np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(t["shape"]).copy())
    return meta, out


def main():
    threads = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--threads" else 1
    torch.set_num_threads(threads)
    meta, w = tensors(sys.argv[1])
    x = torch.from_numpy(np.load(sys.argv[2]))
    layers = json.loads(meta["layers"])
    offset, scale = w["normalize/offset"], w["normalize/scale"]
    start = time.perf_counter()
    with torch.no_grad():
        for i in range(0, x.shape[0], 1024):
            h = (x[i:i + 1024] - offset) / scale
            for layer in layers:
                if layer["kind"] == "dense":
                    h = torch.addmm(w[layer["name"] + "/bias"], h, w[layer["name"] + "/kernel"])
                act = layer.get("activation")
                if act == "relu":
                    h = torch.relu(h)
                elif act == "softmax":
                    h = torch.softmax(h, dim=1)
    seconds = time.perf_counter() - start
    print(f"peer: forward {seconds:.6f} s, {x.shape[0]} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
