"""csv.py — numpy's side of the CSV workload of `make bench`: reads a
numeric CSV with a header line into 32-bit floats (as lrc stores its
data) with np.loadtxt, timed alone with time.perf_counter (the import
excluded), and prints `peer: loadtxt X s, R rows` on stderr.
Usage: /usr/bin/python3 csv.py FILE.csv"""
import sys
import time

import numpy as np


def main():
    start = time.perf_counter()
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, dtype=np.float32)
    seconds = time.perf_counter() - start
    print(f"peer: loadtxt {seconds:.6f} s, {data.shape[0]} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
