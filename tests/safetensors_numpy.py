#!/usr/bin/env python3
"""safetensors_numpy.py - an independent reader and writer of safetensors
files, using only the standard library and numpy, to check lrc's C code
against something that shares none of it.

  python3 tests/safetensors_numpy.py FILE.safetensors
      prints one line per tensor, in header order:  NAME DTYPE [SHAPE] SUM
      (SUM is math.fsum of the values as float64, printed with repr, so it
      is exact and the same everywhere; integer tensors sum exactly), then
      one line per metadata entry:  meta KEY VALUE
  python3 tests/safetensors_numpy.py --write OUT
      writes a small file: "a" F32 [2, 3] = 0..5, "b" F64 [4] = 0.5, 1.5,
      2.5, 3.5, metadata {"k": "v"}.
  python3 tests/safetensors_numpy.py --values FILE NAME
      prints tensor NAME's values, row-major, one per line.

Exits 1 with a message on stderr when a file is malformed.
"""
import json
import math
import os
import struct
import sys

try:
    import numpy as np
except ImportError:
    # python3-numpy is a Debian package for the system interpreter; a
    # python3 earlier on PATH (pyenv, a virtualenv) may lack it.
    system = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(system) and os.path.exists(system):
        os.execv(system, [system] + sys.argv)
    sys.exit("safetensors_numpy.py: numpy is missing (Debian: apt-get install python3-numpy)")

DTYPES = {
    "F32": "<f4", "F64": "<f8", "I64": "<i8", "U64": "<u8",
    "F16": "<f2", "I32": "<i4", "U32": "<u4", "I16": "<i2", "U16": "<u2",
    "I8": "i1", "U8": "u1", "BOOL": "?",
}


def fail(message):
    sys.exit("safetensors_numpy.py: " + message)


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail("%s: shorter than 8 bytes" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        fail("%s: header of %d bytes, only %d follow" % (path, n, len(raw) - 8))
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    lines = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = entry["dtype"]
        if dtype not in DTYPES:
            fail("%s: tensor %r has dtype %s" % (path, name, dtype))
        shape = [int(d) for d in entry["shape"]]
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            fail("%s: tensor %r has offsets [%d, %d] outside the data" % (path, name, begin, end))
        values = np.frombuffer(data[begin:end], dtype=DTYPES[dtype])
        if values.size != math.prod(shape):
            fail("%s: tensor %r: %d values for shape %s" % (path, name, values.size, shape))
        values = values.reshape(shape)
        if dtype in ("I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"):
            total = sum(int(v) for v in values.ravel().tolist())
        else:
            total = math.fsum(values.astype("<f8").ravel().tolist())
        lines.append("%s %s [%s] %r" % (name, dtype, ",".join(str(d) for d in shape), total))
    for key, value in header.get("__metadata__", {}).items():
        lines.append("meta %s %s" % (key, value))
    print("\n".join(lines))


def values(path, wanted):
    """Prints one tensor's values, row-major, one per line (repr)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    if wanted not in header:
        fail("%s: no tensor %r" % (path, wanted))
    entry = header[wanted]
    begin, end = entry["data_offsets"]
    data = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=DTYPES[entry["dtype"]])
    print("\n".join(repr(float(v)) for v in data.ravel().tolist()))


def write(path):
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([0.5, 1.5, 2.5, 3.5], dtype="<f8")
    header = {
        "__metadata__": {"k": "v"},
        "a": {"dtype": "F32", "shape": list(a.shape), "data_offsets": [0, a.nbytes]},
        "b": {"dtype": "F64", "shape": list(b.shape),
              "data_offsets": [a.nbytes, a.nbytes + b.nbytes]},
    }
    # json's default separators (", " and ": ") differ from lrc's compact
    # header, which exercises the reader's whitespace handling.
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + a.tobytes() + b.tobytes())


def main(argv):
    if len(argv) == 2 and not argv[1].startswith("-"):
        read(argv[1])
    elif len(argv) == 3 and argv[1] == "--write":
        write(argv[2])
    elif len(argv) == 4 and argv[1] == "--values":
        values(argv[2], argv[3])
    else:
        sys.exit("usage: safetensors_numpy.py FILE.safetensors | --write OUT | --values FILE NAME")


if __name__ == "__main__":
    main(sys.argv)
