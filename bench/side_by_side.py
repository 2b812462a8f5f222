#!/usr/bin/python3
"""LayerLoom against PyTorch in one sitting, as the training-speed table of bench/README.md is
measured: the two benchmarks alternated over several rounds, each model's median samples/s and
the ratio of the medians; (a)'s GFLOP/s against both GEMM peaks; and, with --memory [LETTER],
the peak memory of training (b) or the model named under /usr/bin/time -v (Debian's `time`).
Prints Markdown to paste.

    /usr/bin/python3 bench/side_by_side.py [--build DIR] [--only LETTERS] [--rounds N]
                                           [--steps N] [--memory [LETTER]]

Needs the release build's layerloom-bench and Debian's python3-torch with libopenblas0-openmp.
Run it on an idle machine: nothing else should be building, testing or fuzzing.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# "(a) seed chain autoencoder ... batch  32     287.7 samples/s    225.0 GFLOP/s ..."
ROW = re.compile(r"^\(([a-z])\)\s+(.*?)\s+batch\s+(\d+)\s+([\d.]+) samples/s(?:\s+([\d.]+) GFLOP/s)?")
PEAK = re.compile(r"peak \((\d+)\^3\): ([\d.]+) GFLOP/s")


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"side_by_side: {' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout + done.stderr


def parse(text):
    """The GEMM peak and, per model letter and batch 32, the first row's samples/s and GFLOP/s
    (PyTorch's first row for (a) is nn.LSTM; its Keras-cell row comes second)."""
    peak = PEAK.search(text)
    rows = {}
    for line in text.splitlines():
        m = ROW.match(line.strip())
        if m and m.group(3) == "32" and m.group(1) not in rows:
            rows[m.group(1)] = (m.group(2), float(m.group(4)), float(m.group(5)) if m.group(5) else None)
    return (float(peak.group(2)) if peak else None), rows


def peak_rss_mib(command):
    done = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return int(m.group(1)) / 1024 if m else None


def machine():
    name = "unknown processor"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and name == "unknown processor":
                    name = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        pass
    vector = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "no AVX2"
    return f"{name}, {vector}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--only", default="abc")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--memory", nargs="?", const="b", default=None, metavar="LETTER",
                    help="also the peak memory of training one model, (b) unless a letter is given")
    args = ap.parse_args()
    bench = os.path.join(args.build, "bench", "layerloom-bench")
    if not os.access(bench, os.X_OK):
        sys.exit(f"side_by_side: no {bench}; build the release tree first (scripts/setup.sh)")
    def ours(only):
        return [bench, "--only", only, "--steps", str(args.steps)]

    def theirs(only):
        return [sys.executable, os.path.join(HERE, "pytorch_reference.py"), "--only", only]

    loom, torch = [], []
    for r in range(args.rounds):
        print(f"round {r + 1} of {args.rounds}: LayerLoom, then PyTorch", file=sys.stderr)
        loom.append(parse(run(ours(args.only))))
        torch.append(parse(run(theirs(args.only))))

    print(f"{datetime.date.today()}, {machine()}; batch 32, Adam, 2 threads; "
          f"layerloom-bench --steps {args.steps} and pytorch_reference.py alternated, "
          f"{args.rounds} rounds, medians:\n")
    print("| model | LayerLoom samples/s | PyTorch samples/s | ratio |")
    print("| --- | --- | --- | --- |")
    for letter in args.only:
        ls = [rows[letter][1] for _, rows in loom if letter in rows]
        ts = [rows[letter][1] for _, rows in torch if letter in rows]
        if not ls or not ts:
            continue
        name = loom[0][1][letter][0]
        ratio = statistics.median(ls) / statistics.median(ts)
        print(f"| ({letter}) {name} | {' / '.join(f'{v:.1f}' for v in ls)} | "
              f"{' / '.join(f'{v:.1f}' for v in ts)} | {ratio:.2f}x |")

    eigen = [p for p, _ in loom if p]
    mm = [p for p, _ in torch if p]
    a = [rows["a"][2] for _, rows in loom if "a" in rows and rows["a"][2]]
    if eigen and mm:
        print(f"\nfloat32 GEMM peak: Eigen over OpenBLAS {' / '.join(f'{v:.1f}' for v in eigen)} GFLOP/s "
              f"(1024^3), torch.mm {' / '.join(f'{v:.1f}' for v in mm)} GFLOP/s (2048^3).")
    if a and eigen and mm:
        print(f"(a) reached {' / '.join(f'{v:.1f}' for v in a)} GFLOP/s: "
              f"{statistics.median(a) / statistics.median(mm):.2f} of torch.mm's median peak, "
              f"{statistics.median(a) / statistics.median(eigen):.2f} of OpenBLAS's.")

    if args.memory:
        ours_mib = peak_rss_mib(ours(args.memory))
        theirs_mib = peak_rss_mib(theirs(args.memory))
        if ours_mib and theirs_mib:
            print(f"\nPeak memory training ({args.memory}), /usr/bin/time -v: LayerLoom {ours_mib:.0f} MiB, "
                  f"PyTorch {theirs_mib:.0f} MiB (each includes its GEMM-peak matrices).")
        else:
            print("\nPeak memory: /usr/bin/time -v gave no figure (Debian's `time` package installs it).")


if __name__ == "__main__":
    main()
