"""Debian's LAPACK dsyevd against NumPy's eigh in one Python process, alternating.

    bench/.venv/bin/python bench/dsyevd_vs_eigh.py [rounds] [matrix.npy] [liblapack.so.3]

Both decompose the same symmetric matrix (default bench/work/A2000.npy, made by bench/run.sh):
`dsyevd_` of the LAPACK that quadform links (Debian's OpenBLAS by default), called through ctypes
with its full workspace, and `numpy.linalg.eigh` with NumPy's bundled OpenBLAS. No quadform code
runs, so when the first is slower than the second it is the library build, not quadform. Half a
second of sleep between calls lets each library's idle threads stop spinning.
"""
import ctypes
import sys
import time

import numpy as np

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
path = sys.argv[2] if len(sys.argv) > 2 else "bench/work/A2000.npy"
library = sys.argv[3] if len(sys.argv) > 3 else "/usr/lib/x86_64-linux-gnu/liblapack.so.3"
lapack = ctypes.CDLL(library)
a0 = np.load(path)
n = a0.shape[0]


def debian():
    a = np.array(a0, order="F")
    w = np.zeros(n)
    i = ctypes.c_int
    lwork, liwork = 1 + 6 * n + 2 * n * n, 3 + 5 * n
    work, iwork, info = np.zeros(lwork), np.zeros(liwork, dtype=np.int32), i(0)
    start = time.perf_counter()
    lapack.dsyevd_(ctypes.c_char_p(b"V"), ctypes.c_char_p(b"U"), ctypes.byref(i(n)), a.ctypes.data_as(ctypes.c_void_p),
                   ctypes.byref(i(n)), w.ctypes.data_as(ctypes.c_void_p), work.ctypes.data_as(ctypes.c_void_p),
                   ctypes.byref(i(lwork)), iwork.ctypes.data_as(ctypes.c_void_p), ctypes.byref(i(liwork)), ctypes.byref(info))
    elapsed = time.perf_counter() - start
    if info.value != 0:
        sys.exit(f"dsyevd_ returned info = {info.value}")
    return elapsed


def numpy_eigh():
    start = time.perf_counter()
    np.linalg.eigh(a0)
    return time.perf_counter() - start


print(f"n = {n}; {library} against numpy {np.__version__}")
for r in range(rounds):
    d = debian()
    time.sleep(0.5)
    e = numpy_eigh()
    time.sleep(0.5)
    print(f"round {r + 1:2d}: dsyevd_ {d:.3f} s   numpy eigh {e:.3f} s   ratio {d / e:.2f}", flush=True)
