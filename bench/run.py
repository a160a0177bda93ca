"""run.py — the driver of `make bench`: times lrc on nine workloads against
peers doing the same work (PyTorch, numpy, wc, plain OpenBLAS), running
the programs of a workload in turn, RUNS times each, and prints a table of
medians and ratios on stdout (also written to OUT/results.txt, with every
run's numbers).

  grades   examples/students.lr, lrc's whole process against the training
           loop of bench/peers/grades.py (imports and data excluded)
  mlp      bench/mlp.lr, the seconds lrc prints on stderr (epoch of steps,
           then the pass measuring the loss) against the same two phases
           timed inside bench/peers/mlp.py at 1 and 2 threads, the faster
           kept (lrc at --threads 1 too, for the note); and lrc's steps
           against bench/sgemm_limit (the step's GEMMs alone, in GFLOP/s);
           and the progress line's cost: the same run on a pseudo-terminal
           (`script -qfec`), which draws it, against stderr to a file
  digits   bench/digits.lr against bench/peers/digits.py, whole processes
           (Python's start and `import torch` included)
  csv      reading a generated CSV of CSV_MB MiB: lrc (bench/csv.lr; whole
           process minus its training seconds, minus the same for a
           1000-line file), np.loadtxt timed in bench/peers/csv.py, wc -l
  check    `lrc check` on generated files of 25000, 50000, 100000 lines,
           whole process, less the same for a 30-line file, per line
  predict  `lrc predict` on PREDICT_ROWS rows of 784 pixels (integers 0 to
           255, as MNIST's; a CSV of ~280 MB for 100000) through the
           784-512-512-10 model of bench/predict.lr (trained one epoch on
           2048 rows), whole process, input to output file, against
           PyTorch's forward pass alone on the same rows in blocks of 1024
           (bench/peers/predict.py, weights read from the same file, rows
           from a .npy copy), at 1 and 2 threads, the faster kept
  fashion  bench/fashion_cnn.lr (issue 13's CNN, one epoch of Fashion-MNIST,
           adam, batch 128, then the 10000 test images), lrc's steps seconds
           (stderr) at all cores and at --threads 1 against the training
           loop timed inside bench/peers/fashion_cnn.py at 1 and 2 threads,
           the faster kept; both test accuracies; and whether lrc's stdout
           and model.safetensors are the same bytes on 1 thread and all
  mpi      what data-parallel training costs (doc/scaling.md): bench/mlp.lr's
           steps seconds at --threads 1 against the same workload with
           shards of 32 rows (bench/mlp_shard.lr) on 1 thread, on 2 MPI
           ranks of 1 thread (mpirun -np 2, skipped without mpirun), on 2
           threads, and mlp.lr on 2 threads; and whether the sharded runs'
           model.safetensors are the same bytes
  rundir   what --out costs: examples/iris.lr at 1000 epochs with --out (a
           new run directory each time) against without, whole processes;
           and a sweep of 8 such runs (-j 1) with --out against the same
           sweep without it (8 plain runs shown beside)

Peak RSS: GNU time's %M (ru_maxrss of the process, in KiB) from one
untimed warm-up run of each program under /usr/bin/time -f %M; the timed
runs are spawned directly (time adds ~1 ms) and read ru_maxrss from
wait4(), the same number, kept in results.txt as a check. MB is 2^20
bytes throughout.

Run by the Makefile with Debian's /usr/bin/python3 (torch, numpy):
  run.py --lrc LRC --sgemm SGEMM_LIMIT --out DIR [--runs N] [--csv-mb N] [--predict-rows N]
Exits 1 if a program fails (its stderr is shown), 2 on a usage error."""
import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"
MB = 1 << 20
CHECK_SIZES = (25000, 50000, 100000)


# --- running programs -----------------------------------------------------

class Run:
    """One finished process: wall seconds, peak RSS in KiB, exit code, output."""

    def __init__(self, wall, rss_kb, code, out, err):
        self.wall, self.rss_kb, self.code, self.out, self.err = wall, rss_kb, code, out, err


def spawn(cmd):
    """Runs cmd from the repository's root, timing it from the fork to the
    reaping wait4() that also gives its ru_maxrss. A callable cmd makes
    the command anew for each run (e.g. a new output directory)."""
    if callable(cmd):
        cmd = cmd()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Run(wall, usage.ru_maxrss, proc.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"))


def checked(cmd, run):
    if run.code != 0:
        sys.stderr.write(run.err[-4000:])
        sys.exit(f"bench: {' '.join(cmd)} failed (exit {run.code})")
    return run


def rss_run(cmd):
    """The warm-up run under GNU time; returns its peak RSS in KiB."""
    if callable(cmd):
        cmd = cmd()
    with tempfile.NamedTemporaryFile(mode="r") as f:
        run = checked(cmd, spawn(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd))
        return int(f.read().split()[-1])


def measure(programs, runs, log, inner=None):
    """programs: {name: (cmd, parse)}, parse(Run) -> dict of numbers. Warms
    up each program under /usr/bin/time (its RSS), then runs them in turn
    `runs` times. inner: {name: n} runs that program n times back to back
    in each turn and records the median of each number. Returns
    {name: {"rss": KiB, key: [values...]}}."""
    results = {}
    inner = inner or {}
    for name, (cmd, _) in programs.items():
        results[name] = {"rss": rss_run(cmd), "wait4_rss": []}
    for i in range(runs):
        for name, (cmd, parse) in programs.items():
            turn = [checked(cmd, spawn(cmd)) for _ in range(inner.get(name, 1))]
            r = results[name]
            r["wait4_rss"].append(max(run.rss_kb for run in turn))
            parsed = [parse(run) for run in turn]
            for key in parsed[0]:
                r.setdefault(key, []).append(statistics.median(p[key] for p in parsed))
        log(f"  run {i + 1}/{runs}: " + "  ".join(
            f"{n} " + " ".join(f"{k}={v[-1]:.4g}" for k, v in r.items()
                               if isinstance(v, list) and k != "wait4_rss")
            for n, r in results.items()))
    return results


def med(results, name, key):
    return statistics.median(results[name][key])


def number(pattern, text, what):
    m = re.search(pattern, text)
    if not m:
        sys.exit(f"bench: no {what} in:\n{text}")
    return float(m.group(1))


def wall(run):
    return {"s": run.wall}


def lrc_timing(run):
    """lrc's stderr line `lrc: 1 epoch, 469 steps in X s (steps A s,
    measuring B s)`; without the parenthesis, steps = total."""
    total = number(r"steps in ([0-9.]+) s", run.err, "lrc timing")
    m = re.search(r"\(steps ([0-9.]+) s, measuring ([0-9.]+) s\)", run.err)
    steps = float(m.group(1)) if m else total
    return {"s": run.wall, "train": total, "steps": steps}


def tty_timing(run):
    """lrc_timing of a run under script(1), whose stderr is in its stdout
    after the progress lines."""
    return lrc_timing(Run(run.wall, run.rss_kb, run.code, "", run.out))


def peer_loop(run):
    return {"loop": number(r"peer: loop ([0-9.]+) s", run.err, "peer timing")}


def peer_mlp(run):
    steps = number(r"peer: steps ([0-9.]+) s", run.err, "peer timing")
    measuring = number(r"measuring ([0-9.]+) s", run.err, "peer timing")
    return {"train": steps + measuring, "steps": steps}


# --- generated inputs -----------------------------------------------------

def write_csv(path, mib, seed=1):
    """A header `x0,...,x8,y` and lines of 10 floats ('%.6f' of normal
    draws times 100, ~107 bytes a line): one 8 MiB block of distinct
    random lines, repeated until the file has `mib` MiB (whole lines)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lines = [",".join("%.6f" % v for v in row) for row in rng.standard_normal((80000, 10)) * 100]
    block = ("\n".join(lines) + "\n").encode()
    target = mib * MB
    with open(path, "wb") as f:
        f.write(b"x0,x1,x2,x3,x4,x5,x6,x7,x8,y\n")
        written = 0
        while written + len(block) <= target:
            f.write(block)
            written += len(block)
        rest = block[:target - written]
        f.write(rest[:rest.rfind(b"\n") + 1])
    with open(path, "rb") as src, open(os.path.join(os.path.dirname(path), "tiny.csv"), "wb") as f:
        f.writelines(src.readline() for _ in range(1001))


def write_lr(path, lines):
    """An experiment of about `lines` lines: blocks of 25, each a comment and
    a `let` whose value spreads over 23 lines of arithmetic and function
    calls referring to the previous block's name (a chain of at most ten,
    so that folding stays shallow), then a five-line experiment that uses
    the last name. 100000 lines make 3999 names, under lrc's 4096."""
    out = [f"# generated by bench/run.py: {lines} lines", "seed 1", "let v0 = 1"]
    i = 0
    while len(out) + 25 + 5 <= lines:
        i += 1
        prev = f"v{i - 1}" if i % 10 else "1"
        out.append(f"# block {i}")
        out.append(f"let v{i} = ({prev} * 0.5")
        out += [f"    + {k}.25 * sin({k} / 7) - max({k}, 2) / (1 + exp(-{k}))" for k in range(22)]
        out.append(")")
    out += ["# padding"] * (lines - 5 - len(out))
    out += ["dataset d = linear(n=100, features=3)", "model dense(1)", "loss mse",
            f"optimizer sgd lr=0.001 + 0 * v{i}", "train epochs=1"]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# --- the workloads --------------------------------------------------------

def peers_by_threads(script, args, parse):
    return {f"peer{t}": ([PY, script] + args + ["--threads", str(t)], parse) for t in (1, 2)}


def faster_peer(results, key):
    return min(("peer1", "peer2"), key=lambda p: med(results, p, key))


def bench_grades(lrc, runs, log):
    programs = {"lrc": ([lrc, "examples/students.lr"], wall)}
    programs.update(peers_by_threads("bench/peers/grades.py", [], peer_loop))
    # A 5 ms process started right after a 250 MB one runs 1-3 ms slower
    # (caches, TLBs and page tables refilled): lrc runs 5 times in each
    # turn and the turn keeps the median, as the peer's loop is timed
    # inside its warm process.
    r = measure(programs, runs, log, inner={"lrc": 5})
    p = faster_peer(r, "loop")
    a, b = med(r, "lrc", "s"), med(r, p, "loop")
    return r, [("grades (4 epochs)", f"{a:.4f} s", f"{b:.3f} s (loop,{p[-1]}t)", b / a,
                r["lrc"]["rss"], r[p]["rss"], "lrc whole process vs torch loop",
                200, "x")]


def bench_mlp(lrc, sgemm, out, runs, log):
    threads = os.cpu_count() or 1
    run_dir = os.path.join(out, "mlp-run")
    programs = {"lrc": ([lrc, "--out", run_dir, "bench/mlp.lr"], lrc_timing)}
    if threads != 1:  # for the note: lrc at one thread, as the faster torch usually is
        programs["lrc1"] = ([lrc, "--threads", "1", "--out", run_dir, "bench/mlp.lr"], lrc_timing)
    # The progress line is drawn only when stderr is a terminal.
    tty_cmd = " ".join(shlex.quote(a) for a in programs["lrc"][0])
    programs["lrc_tty"] = (["script", "-qfec", tty_cmd, "/dev/null"], tty_timing)
    programs.update(peers_by_threads("bench/peers/mlp.py", [], peer_mlp))
    for t in sorted({threads, 1}):
        programs[f"sgemm{t}"] = ([sgemm, str(t)], lambda run: {
            "gflops": number(r"gflops ([0-9.]+)", run.out, "sgemm_limit output")})
    r = measure(programs, runs, log)
    p = faster_peer(r, "train")
    rows = []
    for key, label, note in (("train", "mlp (steps + measuring)", "1 epoch: 469 steps, then loss on 60000 rows"),
                             ("steps", "mlp (steps only)", "the 469 steps")):
        a, b = med(r, "lrc", key), med(r, p, key)
        other = "peer2" if p == "peer1" else "peer1"
        lrc1 = f", lrc 1t {med(r, 'lrc1', key):.3f} s" if "lrc1" in r else ""
        rows.append((label, f"{a:.3f} s", f"{b:.3f} s (loop,{p[-1]}t)", b / a,
                     r["lrc"]["rss"], r[p]["rss"],
                     f"{note}; torch {other[-1]}t {med(r, other, key):.3f} s{lrc1}", 1.3, "x"))
    a, b = med(r, "lrc_tty", "train"), med(r, "lrc", "train")
    cost = 100 * (a - b) / b
    # (No RSS: the terminal run's is script(1)'s.)
    rows.append(("progress overhead", f"{a:.3f} s", f"{b:.3f} s (stderr to file)", None,
                 None, None,
                 f"target < 1% of the epoch: {'met' if cost < 1 else 'MISSED'}; {cost:+.2f}% "
                 f"(steps {med(r, 'lrc_tty', 'steps'):.3f} s vs {med(r, 'lrc', 'steps'):.3f} s)",
                 None, ""))
    flops = 2.0 * 60000 * (2 * (784 * 512 + 512 * 512 + 512 * 10) + 512 * 512 + 512 * 10)
    limit = med(r, f"sgemm{threads}", "gflops")
    step = flops / med(r, "lrc", "steps") * 1e-9
    line = (f"sgemm limit  {limit:.1f} GFLOP/s ({threads} threads); "
            f"lrc step  {step:.1f} GFLOP/s = {100 * step / limit:.0f}%  (target >= 80%)")
    if threads != 1:
        limit1 = med(r, "sgemm1", "gflops")
        step1 = flops / med(r, "lrc1", "steps") * 1e-9
        line += (f"\n  at 1 thread: sgemm limit {limit1:.1f} GFLOP/s; lrc --threads 1 step "
                 f"{step1:.1f} GFLOP/s = {100 * step1 / limit1:.0f}%")
    # Other work on the machine slows some runs by half: the fastest runs
    # of each side show what each costs undisturbed.
    best = flops / min(r["lrc"]["steps"]) * 1e-9
    best_limit = max(r[f"sgemm{threads}"]["gflops"])
    line += (f"\n  fastest runs: sgemm limit {best_limit:.1f} GFLOP/s; lrc step {best:.1f} GFLOP/s"
             f" = {100 * best / best_limit:.0f}%; torch steps {min(r[p]['steps']):.3f} s vs lrc"
             f" {min(r['lrc']['steps']):.3f} s = {min(r[p]['steps']) / min(r['lrc']['steps']):.2f}x")
    return r, rows, line


def bench_digits(lrc, runs, log):
    programs = {"lrc": ([lrc, "bench/digits.lr"], wall)}
    programs.update(peers_by_threads("bench/peers/digits.py", ["examples/data/digits.csv"], wall))
    r = measure(programs, runs, log)
    p = faster_peer(r, "s")
    a, b = med(r, "lrc", "s"), med(r, p, "s")
    return r, [("digits (30 epochs)", f"{a:.3f} s", f"{b:.3f} s (proc,{p[-1]}t)", b / a,
                r["lrc"]["rss"], r[p]["rss"], "whole processes: python start + import torch included",
                None, "x")]


def bench_csv(lrc, out, mib, runs, log):
    big = os.path.join(out, "big.csv")
    log(f"  writing {big} ({mib} MB)")
    write_csv(big, mib)
    size = os.path.getsize(big) / MB
    rel = os.path.relpath(os.path.join(out, "tiny.csv"), os.path.join(ROOT, "bench"))
    programs = {
        # The generated files are outside bench/, where lrc reads by default.
        "lrc": ([lrc, "bench/csv.lr", "--allow-read", out,
                 "--set", f'path="{os.path.relpath(big, os.path.join(ROOT, "bench"))}"'],
                lrc_timing),
        "numpy": ([PY, "bench/peers/csv.py", big],
                  lambda run: {"load": number(r"peer: loadtxt ([0-9.]+) s", run.err, "loadtxt time")}),
        "wc": (["wc", "-l", big], wall),
        "lrc_tiny": ([lrc, "bench/csv.lr", "--allow-read", out, "--set", f'path="{rel}"'], lrc_timing),
    }
    try:
        r = measure(programs, runs, log)
    finally:
        os.remove(big)
    # Per run: the whole process less its training, less the same for 1000 lines.
    r["lrc"]["load"] = [(s - t) - (s0 - t0) for s, t, s0, t0 in
                        zip(r["lrc"]["s"], r["lrc"]["train"], r["lrc_tiny"]["s"], r["lrc_tiny"]["train"])]
    a, b, c = (size / med(r, n, k) for n, k in (("lrc", "load"), ("numpy", "load"), ("wc", "s")))
    return r, [(f"csv read ({size:.0f} MB)", f"{a:.1f} MB/s", f"{b:.1f} MB/s (loadtxt)", a / b,
                r["lrc"]["rss"], r["numpy"]["rss"],
                f"wc -l {c:.0f} MB/s (I/O limit, page cache); lrc {med(r, 'lrc', 'load'):.2f} s",
                None, "x")]


def bench_check(lrc, out, runs, log):
    programs = {}
    for n in (30,) + CHECK_SIZES:
        path = os.path.join(out, f"check-{n}.lr")
        write_lr(path, n)
        programs[n] = ([lrc, "check", path], wall)
    r = measure(programs, runs, log)
    base_s, base_kb = med(r, 30, "s"), r[30]["rss"]
    rows = []
    for n in CHECK_SIZES:
        s, kb = med(r, n, "s"), r[n]["rss"]
        rows.append((f"check {n} lines", f"{s:.3f} s", "-", None, kb, None,
                     f"{1e6 * (s - base_s) / n:.2f} us/line, {1024 * (kb - base_kb) / n:.0f} B/line "
                     f"(less a 30-line file: {base_s * 1e3:.1f} ms, {base_kb / 1024:.1f} MB)", None, ""))
    return r, rows


def bench_predict(lrc, out, rows, runs, log):
    import numpy as np

    work = os.path.join(out, "predict")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    model = os.path.join(work, "model")
    checked(["lrc"], spawn([lrc, "--quiet", "bench/predict.lr", "--out", model]))
    data, npy = os.path.join(work, "rows.csv"), os.path.join(work, "rows.npy")
    log(f"  writing {data} ({rows} rows)")
    pixels = np.random.default_rng(1).integers(0, 256, size=(1000, 784))
    block = "".join(",".join(map(str, row)) + "\n" for row in pixels).encode()
    with open(data, "wb") as f:
        f.write((",".join(f"x{i}" for i in range(1, 785)) + "\n").encode())
        for _ in range(rows // 1000):
            f.write(block)
    np.save(npy, np.tile(pixels.astype(np.float32), (rows // 1000, 1)))
    size = os.path.getsize(data) / MB
    predictions = os.path.join(work, "predictions.csv")
    programs = {"lrc": ([lrc, "predict", model, data, "-o", predictions, "--force"], wall)}
    programs.update(peers_by_threads(
        "bench/peers/predict.py", [os.path.join(model, "model.safetensors"), npy],
        lambda run: {"forward": number(r"peer: forward ([0-9.]+) s", run.err, "forward time")}))
    try:
        r = measure(programs, runs, log)
        with open(predictions) as f:
            written = sum(1 for _ in f) - 1
        if written != rows // 1000 * 1000:
            sys.exit(f"bench: lrc predict wrote {written} rows for {rows}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = rows // 1000 * 1000
    p = faster_peer(r, "forward")
    a, b = med(r, "lrc", "s"), med(r, p, "forward")
    return r, [(f"predict {n // 1000}k rows", f"{n / a:,.0f} rows/s", f"{n / b:,.0f} rows/s (fwd,{p[-1]}t)",
                b / a, r["lrc"]["rss"], r[p]["rss"],
                f"lrc {size / a:.0f} MB/s of CSV in, {a:.2f} s whole process (parse, forward, "
                f"write); torch {b:.2f} s forward alone", None, "x")]


def bench_fashion(lrc, out, runs, log):
    threads = os.cpu_count() or 1
    dirs = {t: os.path.join(out, f"fashion-run{t}") for t in (threads, 1)}

    def lrc_cnn(run):
        r = lrc_timing(run)
        r["accuracy"] = number(r"evaluate \S+ loss \S+ accuracy ([0-9.]+)", run.out, "lrc accuracy")
        return r

    def peer_cnn(run):
        return {"loop": number(r"peer: loop ([0-9.]+) s", run.err, "peer timing"),
                "accuracy": number(r"test accuracy ([0-9.]+)", run.err, "peer accuracy")}

    programs = {"lrc": ([lrc, "--out", dirs[threads], "--force", "bench/fashion_cnn.lr"], lrc_cnn)}
    if threads != 1:
        programs["lrc1"] = ([lrc, "--threads", "1", "--out", dirs[1], "--force",
                             "bench/fashion_cnn.lr"], lrc_cnn)
    programs.update(peers_by_threads("bench/peers/fashion_cnn.py", [], peer_cnn))
    r = measure(programs, runs, log)
    p = faster_peer(r, "loop")
    a, b = med(r, "lrc", "steps"), med(r, p, "loop")
    same = "-"
    if threads != 1:
        files = [os.path.join(dirs[t], "model.safetensors") for t in (threads, 1)]
        with open(files[0], "rb") as f0, open(files[1], "rb") as f1:
            same = "same" if f0.read() == f1.read() else "DIFFERENT"
    other = "peer2" if p == "peer1" else "peer1"
    note = (f"acc lrc {med(r, 'lrc', 'accuracy'):.4f} torch {med(r, p, 'accuracy'):.4f}; "
            f"torch {other[-1]}t {med(r, other, 'loop'):.2f} s")
    if threads != 1:
        note += (f"; lrc 1t {med(r, 'lrc1', 'steps'):.2f} s, model 1t vs {threads}t {same}")
    return r, [("fashion cnn (1 epoch)", f"{a:.2f} s", f"{b:.2f} s (loop,{p[-1]}t)", b / a,
                r["lrc"]["rss"], r[p]["rss"], note, 2, "x")]


def bench_mpi(lrc, out, runs, log):
    """bench/mlp.lr's workload with and without shards of 32 rows
    (bench/mlp_shard.lr), on one process, on two threads, and on two MPI
    ranks of one thread; each against mlp.lr at --threads 1."""
    dirs = {k: os.path.join(out, f"mpi-{k}") for k in ("shard1t", "mpirun2", "shard2t")}

    def lrc_run(threads, path, key=None):
        cmd = [lrc, "--threads", str(threads), path]
        return cmd + (["--out", dirs[key], "--force"] if key else [])

    programs = {
        "plain1t": (lrc_run(1, "bench/mlp.lr"), lrc_timing),
        "shard1t": (lrc_run(1, "bench/mlp_shard.lr", "shard1t"), lrc_timing),
        "plain2t": (lrc_run(2, "bench/mlp.lr"), lrc_timing),
        "shard2t": (lrc_run(2, "bench/mlp_shard.lr", "shard2t"), lrc_timing),
    }
    mpirun = shutil.which("mpirun")
    if mpirun:
        programs["mpirun2"] = ([mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "2"] +
                               lrc_run(1, "bench/mlp_shard.lr", "mpirun2"), lrc_timing)
    r = measure(programs, runs, log)
    models = {}
    for k, d in dirs.items():
        if k in programs:
            with open(os.path.join(d, "model.safetensors"), "rb") as f:
                models[k] = f.read()
    same = "same" if len(set(models.values())) == 1 else "DIFFERENT"
    base = med(r, "plain1t", "steps")
    against = f"{base:.3f} s (no shard,1t)"
    rows = []
    for key, label, note, target in (
            ("shard1t", "mlp shard=32, 1 thread", "what shards cost one process", 0.91),
            ("mpirun2", "mlp shard=32, mpirun -np 2", "2 ranks of 1 thread, each 2 of the 4 shards",
             None),
            ("shard2t", "mlp shard=32, 2 threads", "one process, shards in turn, each on 2 threads",
             None),
            ("plain2t", "mlp, 2 threads", "today's path on all cores", None)):
        if key not in r:
            rows.append((label, "-", against, None, None, None, "skipped: no mpirun", None, ""))
            continue
        a = med(r, key, "steps")
        models_note = (f"; model {', '.join(k for k in models)}: {same} bytes"
                       if key == "shard1t" else "")
        # mpirun's RSS is its own, not its ranks'.
        rows.append((label, f"{a:.3f} s", against, base / a,
                     None if key == "mpirun2" else r[key]["rss"], r["plain1t"]["rss"],
                     f"{note}; whole run {med(r, key, 'train'):.2f} s{models_note}", target, "x"))
    return r, rows


def bench_rundir(lrc, out, runs, log):
    work = os.path.join(out, "rundir")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(ROOT, "examples", "data")
    with open(os.path.join(ROOT, "examples", "iris.lr")) as f:
        iris = f.read().replace('"data/iris.csv"', f'"{data}/iris.csv"')
    iris = iris.replace("epochs=60", "epochs=1000")
    one, sweep = os.path.join(work, "iris1000.lr"), os.path.join(work, "sweep8.lr")
    with open(one, "w") as f:
        f.write(iris)
    rates = ", ".join(f"0.0{k}" for k in range(1, 9))
    with open(sweep, "w") as f:
        f.write(iris.replace("optimizer adam lr=0.05",
                             f"let rate = sweep({rates})\noptimizer adam lr=rate"))
    fresh = iter(range(10 ** 6))

    def with_out(path):
        return lambda: [lrc, "--quiet", path, "--allow-read", data, "--out",
                        os.path.join(work, f"run-{next(fresh)}")]

    programs = {"plain": ([lrc, "--quiet", one, "--allow-read", data], wall),
                "out": (with_out(one), wall),
                "sweep": (with_out(sweep), wall),
                "sweep_plain": ([lrc, "--quiet", sweep, "--allow-read", data], wall)}
    # Runs of tens of milliseconds: the median of 5 back to back per turn.
    r = measure(programs, runs, log, inner={"plain": 5, "out": 5})
    a, b, c = med(r, "out", "s"), med(r, "plain", "s"), med(r, "sweep", "s")
    d = med(r, "sweep_plain", "s")
    return r, [("iris 1000 ep. --out", f"{a:.3f} s", f"{b:.3f} s (no --out)", b / a,
                r["out"]["rss"], r["plain"]["rss"], "lrc against itself: what the run directory costs",
                0.83, "x"),
               ("sweep 8 x iris --out", f"{c:.3f} s", f"{d:.3f} s (no --out)", d / c,
                r["sweep"]["rss"], r["sweep_plain"]["rss"],
                f"the same sweep (-j 1) without --out (its runs in a temporary directory); "
                f"8 plain runs {8 * b:.3f} s = {8 * b / c:.2f}x",
                0.83, "x")]


# --- the table ------------------------------------------------------------

def table(rows):
    head = f"{'workload':<26} {'lrc':<13} {'peer':<24} {'ratio':>7}  {'lrc RSS':>9} {'peer RSS':>9}   note"
    lines = [head]
    for label, a, b, ratio, rss_a, rss_b, note, target, unit in rows:
        ratio_s = "-" if ratio is None else (f"{ratio:.0f}{unit}" if ratio >= 100 else f"{ratio:.2f}{unit}")
        rss = lambda kb: "-" if kb is None else f"{kb / 1024:.1f} MB"
        if target is not None:
            note = f"target >= {target:g}{unit}: {'met' if ratio >= target else 'MISSED'}; {note}"
        lines.append(f"{label:<26} {a:<13} {b:<24} {ratio_s:>7}  {rss(rss_a):>9} {rss(rss_b):>9}   {note}")
    return "\n".join(lines)


LEGEND = """\
ratio = peer time / lrc time (for csv: lrc MB/s / numpy MB/s); >1 means lrc is faster.
grades: lrc's whole process (start to exit; in each turn the median of 5 back-to-back runs)
  vs the torch training loop alone (time.perf_counter, imports and data generation excluded);
  peer at its faster of 1 and 2 threads (Nt).
mlp: the seconds lrc prints on stderr (shuffle + 469 steps, then the loss on all 60000 rows)
  vs the same phases timed in the torch peer; data generation excluded on both sides. The
  note gives the peer's other thread count and lrc --threads 1 (lrc's default is all cores).
  Nt for torch is torch.set_num_threads(N), its own loops; Debian's torch does its products
  on the system OpenBLAS, which runs on every core either way (so 1t is torch's fastest:
  at 2t its OpenMP threads and OpenBLAS's take turns on the same cores).
progress overhead: the mlp run (steps + measuring) under script(1), stderr a pseudo-terminal
  on which the progress line is drawn, vs the same with stderr to a file (no progress line);
  lrc column = on the terminal, peer column = to a file.
sgemm limit: bench/sgemm_limit, the 8 GEMMs of one step (3 forward, 3 dW, 2 dX) alone, whole,
  on OpenBLAS's own threads at lrc's thread count; lrc step GFLOP/s = those GEMMs' FLOPs for
  60000 samples / lrc's steps seconds. lrc computes its products in blocks on single-threaded
  OpenBLAS (for results independent of the thread count; `make bench-blocks` compares).
digits: whole processes, reading the CSV, 30 epochs and the test evaluation; the peer's time
  includes Python's start and `import torch` (~1-2 s).
csv: lrc = (whole process - training seconds) - the same for a 1000-line file, i.e. reading,
  parsing, hashing and storing the file; numpy = np.loadtxt(float32) alone; wc -l as the
  limit of reading bytes from the page cache. The file is deleted afterwards.
check: `lrc check` whole process; per line = (time or RSS - those of a 30-line file) / lines.
predict: lrc predict's whole process (start, model, reading and parsing the CSV, forward in
  blocks of 1024, writing the output file) vs torch's forward pass alone on the same rows
  (rows/s); the MB/s is of lrc's CSV input. The files are deleted afterwards.
fashion: lrc's steps seconds (stderr; shuffle + 469 steps, not the pass measuring the loss
  nor the test evaluation) vs the torch loop alone (batch gather, forward, backward, adam;
  oneDNN convolutions), peer at its faster of 1 and 2 threads; accuracies on the 10000 test
  images after the epoch (different initializations: Keras's and PyTorch's defaults).
mpi: lrc against itself: the steps seconds (stderr; rank 0's under mpirun) of bench/mlp.lr's
  workload with each batch of 128 in 4 shards of 32 rows (bench/mlp_shard.lr, train shard=32)
  on 1 thread, on 2 MPI ranks of 1 thread (mpirun -np 2), on 2 threads, and mlp.lr itself on 2
  threads, each against mlp.lr on 1 thread (peer column; ratio > 1: faster than it); target
  for one process: shards cost at most ~10% (0.91x). The first row's note says whether the sharded
  runs' model.safetensors are the same bytes (left in OUT/mpi-*). No RSS for mpirun (its own).
rundir: lrc against itself, whole processes; target 0.83x = at most 1.2 times as long with
  --out. The run directories are left in OUT/rundir.
RSS: peak resident set (GNU time %M) of the process; MB = 2^20 bytes."""


def main():
    ap = argparse.ArgumentParser(description="lrc benchmarks (see the file's docstring)")
    ap.add_argument("--lrc", required=True)
    ap.add_argument("--sgemm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--csv-mb", type=int, default=1024)
    ap.add_argument("--predict-rows", type=int, default=100000)
    ap.add_argument("--only", default="grades,mlp,digits,csv,check,predict,fashion,mpi,rundir",
                    help="comma-separated workloads to run")
    args = ap.parse_args()
    if args.runs < 1 or args.csv_mb < 1:
        ap.error("--runs and --csv-mb must be at least 1")
    lrc, sgemm, out = (os.path.abspath(p) for p in (args.lrc, args.sgemm, args.out))
    os.makedirs(out, exist_ok=True)
    only = set(args.only.split(","))

    need = 2.2 * args.csv_mb * MB  # the CSV, plus room
    free = os.statvfs(out).f_bavail * os.statvfs(out).f_frsize
    if "csv" in only and free < need:
        sys.exit(f"bench: {free / MB:.0f} MB free in {out}, CSV_MB={args.csv_mb} needs "
                 f"{need / MB:.0f}; try a smaller CSV_MB")

    details = []

    def log(msg):
        print(msg, file=sys.stderr, flush=True)
        details.append(msg)

    rows, extra, raw = [], [], {}
    started = time.perf_counter()
    load = os.getloadavg()[0]
    for name in ("grades", "mlp", "digits", "csv", "check", "predict", "fashion", "mpi", "rundir"):
        if name not in only:
            continue
        log(f"bench: {name}")
        if name == "grades":
            r, new = bench_grades(lrc, args.runs, log)
        elif name == "mlp":
            r, new, line = bench_mlp(lrc, sgemm, out, args.runs, log)
            extra.append(line)
        elif name == "digits":
            r, new = bench_digits(lrc, args.runs, log)
        elif name == "csv":
            r, new = bench_csv(lrc, out, args.csv_mb, args.runs, log)
        elif name == "check":
            r, new = bench_check(lrc, out, args.runs, log)
        elif name == "predict":
            r, new = bench_predict(lrc, out, args.predict_rows, args.runs, log)
        elif name == "fashion":
            r, new = bench_fashion(lrc, out, args.runs, log)
        elif name == "mpi":
            r, new = bench_mpi(lrc, out, args.runs, log)
        else:
            r, new = bench_rundir(lrc, out, args.runs, log)
        rows += new
        raw[name] = r

    report = [table(rows)] + extra + [
        "", f"{args.runs} runs each, medians; {os.cpu_count()} cores; load average "
            f"{load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
            f"{time.perf_counter() - started:.0f} s in all", "", LEGEND]
    print("\n".join(report))
    with open(os.path.join(out, "results.txt"), "w") as f:
        f.write("\n".join(report) + "\n\n# every run (seconds; rss and wait4_rss in KiB)\n")
        for name, r in raw.items():
            for prog, values in r.items():
                f.write(f"{name} {prog}: " + "; ".join(
                    f"{k}=" + (",".join(f"{v:.6g}" for v in vs) if isinstance(vs, list) else f"{vs}")
                    for k, vs in values.items()) + "\n")
        f.write("\n# progress\n" + "\n".join(details) + "\n")


if __name__ == "__main__":
    main()
