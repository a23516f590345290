"""Benchmark: the reference NumPy Conv2D of a2_cnns against PyTorch, and a loop version.

Times one forward plus one backward pass of the same convolution, on the CPU, in one run:
  - torch.nn.functional.conv2d with autograd (float64 and float32),
  - the vectorized reference solutions/a2_cnns/modules/convolution.py (strided windows and
    np.tensordot), in the same dtype,
  - a straightforward loop implementation (defined below, only for scale; it is timed on a
    smaller batch and scaled up, so the run stays short).
Prints the ratio reference / torch; the target is at most 1.5x in float64, the dtype the
assignment's layers run in (NumPy's default; torch's float64 CPU convolution is im2col plus
GEMM, like ours). float32 is printed for information: there torch uses oneDNN's direct
convolution kernels, which a NumPy im2col bound by the BLAS GEMM does not match on deeper
layers. NumPy's BLAS and torch get the same number of threads (--threads, default 1).

    .venv/bin/python bench/bench_conv.py [--batch 50] [--repeat 5] [--threads 1]
"""

import argparse
import os
import sys
import time


def _threads_from_argv(default=1):
    """Read --threads before NumPy starts, so its BLAS gets the same thread count as torch."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return str(default)


for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "solutions", "a2_cnns"))

from modules.convolution import Conv2D  # noqa: E402  (the reference solution)


def loop_conv_forward(x, w, b, stride, padding):
    """Naive convolution: one dot product per output element."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    h_out = (h + 2 * padding - k) // stride + 1
    w_out = (wd + 2 * padding - k) // stride + 1
    out = np.empty((n, f, h_out, w_out), dtype=x.dtype)
    for i in range(n):
        for j in range(f):
            for r in range(h_out):
                for q in range(w_out):
                    patch = x_pad[i, :, r * stride:r * stride + k, q * stride:q * stride + k]
                    out[i, j, r, q] = np.sum(patch * w[j]) + b[j]
    return out, x_pad


def loop_conv_backward(dout, x_pad, w, stride, padding, x_shape):
    n, f, h_out, w_out = dout.shape
    k = w.shape[2]
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(n):
        for j in range(f):
            for r in range(h_out):
                for q in range(w_out):
                    rs, qs = r * stride, q * stride
                    dx_pad[i, :, rs:rs + k, qs:qs + k] += w[j] * dout[i, j, r, q]
                    dw[j] += x_pad[i, :, rs:rs + k, qs:qs + k] * dout[i, j, r, q]
    dx = dx_pad[:, :, padding:padding + x_shape[2], padding:padding + x_shape[3]]
    return dx, dw, db


def best_time(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench(shape, dtype, repeat):
    n, c, h, w, f, k, stride, padding = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    conv = Conv2D(c, f, k, stride, padding)
    conv.weight = rng.standard_normal(conv.weight.shape).astype(dtype)
    conv.bias = rng.standard_normal(f).astype(dtype)
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape).astype(dtype)

    def ours():
        conv.forward(x)
        conv.backward(dout)

    xt = torch.from_numpy(x).requires_grad_(True)
    wt = torch.from_numpy(conv.weight).requires_grad_(True)
    bt = torch.from_numpy(conv.bias).requires_grad_(True)
    dt = torch.from_numpy(dout)

    def theirs():
        xt.grad = wt.grad = bt.grad = None
        F.conv2d(xt, wt, bt, stride=stride, padding=padding).backward(dt)

    # same numbers first: a benchmark of a wrong result is worth nothing
    theirs()
    conv.backward(dout)
    tol = 1e-3 if dtype == np.float32 else 1e-8
    for mine, ref in ((conv.dx, xt.grad), (conv.dw, wt.grad), (conv.db, bt.grad)):
        assert np.allclose(mine, ref.numpy(), rtol=tol, atol=tol), "reference Conv2D disagrees with torch"
    return best_time(ours, repeat), best_time(theirs, repeat)


def bench_loop(shape, dtype, batch):
    n, c, h, w, f, k, stride, padding = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, c, h, w)).astype(dtype)
    wt = rng.standard_normal((f, c, k, k)).astype(dtype)
    b = rng.standard_normal(f).astype(dtype)
    t0 = time.perf_counter()
    out, x_pad = loop_conv_forward(x, wt, b, stride, padding)
    loop_conv_backward(np.ones_like(out), x_pad, wt, stride, padding, x.shape)
    return (time.perf_counter() - t0) * n / batch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50, help="N of the benchmarked input")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (best is kept)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for torch and for NumPy's BLAS alike (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    shapes = [
        # N, C, H, W, F, k, stride, padding
        (args.batch, 3, 32, 32, 32, 5, 1, 1),   # the conv of the Part 1 experiment
        (args.batch, 3, 32, 32, 32, 7, 1, 0),   # the conv of VanillaCNN
        (args.batch, 32, 16, 16, 64, 3, 1, 1),  # a deeper layer
        (args.batch, 16, 32, 32, 32, 3, 2, 1),  # strided
    ]
    print(f"torch {torch.__version__}, numpy {np.__version__}, torch threads {torch.get_num_threads()}, "
          f"BLAS threads {os.environ['OPENBLAS_NUM_THREADS']}")
    print("forward + backward, best of", args.repeat)
    header = f"{'N,C,H,W,F,k,s,p':<26}{'dtype':<9}{'torch ms':>10}{'ours ms':>10}{'ours/torch':>12}"
    print(header)
    print("-" * len(header))
    worst = {np.float64: 0.0, np.float32: 0.0}
    for shape in shapes:
        for dtype in (np.float64, np.float32):
            ours, theirs = bench(shape, dtype, args.repeat)
            ratio = ours / theirs
            worst[dtype] = max(worst[dtype], ratio)
            print(f"{','.join(map(str, shape)):<26}{np.dtype(dtype).name:<9}"
                  f"{theirs * 1e3:>10.2f}{ours * 1e3:>10.2f}{ratio:>11.2f}x")
    shape = shapes[0]
    loop = bench_loop(shape, np.float64, batch=2)
    ours, theirs = bench(shape, np.float64, args.repeat)
    print(f"\nloop-based Conv2D on {shape} (float64, timed on N=2 and scaled): {loop * 1e3:.0f} ms, "
          f"{loop / ours:.0f}x the reference, {loop / theirs:.0f}x torch")
    print(f"worst ratio reference/torch, float64: {worst[np.float64]:.2f}x (target <= 1.5x): "
          f"{'OK' if worst[np.float64] <= 1.5 else 'ABOVE TARGET'}")
    print(f"worst ratio reference/torch, float32 (information only): {worst[np.float32]:.2f}x")


if __name__ == "__main__":
    main()
