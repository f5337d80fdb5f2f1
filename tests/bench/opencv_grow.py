#!/usr/bin/env python3
"""OpenCV baselines for the grow rows of docs/PERFORMANCE.md, run with Debian's python3-opencv
(/usr/bin/python3):

  opencv_grow.py dilate --size 4096 --grow 1,6,8,16,64 --threads 2
      times cv2.dilate with a g x g box (the seed's window: anchor g//2, zero border) on a binary
      8-bit mask, median of --reps runs, one JSON line per g;
  opencv_grow.py process MASK.png G OUT.png
      the whole job as one process: read the PNG, binarise as the node rounds (v > 127),
      dilate, write 0/255 PNG (what `latentbrush-cli grow` does with --size = the mask's size);
  opencv_grow.py make-mask OUT.png [--size 4096]
      the process rows' input: an 8-bit gray 0/255 PNG of painted blobs, polygons and strokes
      (about a third of it set), always the same for a size.
"""
import json
import sys
import time

import cv2
import numpy as np


def painted_mask(size, seed=1234):
    rng = np.random.default_rng(seed)
    m = np.zeros((size, size), np.uint8)
    for _ in range(12):
        cy, cx = rng.integers(0, size, 2)
        r = int(rng.integers(size // 64, size // 8))
        cv2.circle(m, (int(cx), int(cy)), r, 1, -1)
    return m


def process_mask(size, seed=7):
    rng = np.random.default_rng(seed)
    m = np.zeros((size, size), np.uint8)
    for _ in range(60):
        cy, cx = rng.integers(0, size, 2)
        cv2.circle(m, (int(cx), int(cy)), int(rng.integers(size // 128, size // 16)), 255, -1)
    for _ in range(20):
        c = rng.integers(0, size, 2)
        pts = (c + rng.integers(-size * 3 // 40, size * 3 // 40, (6, 2))).astype(np.int32)
        cv2.fillPoly(m, [pts], 255)
    for _ in range(30):
        p = rng.integers(0, size, (2, 2))
        cv2.line(m, tuple(map(int, p[0])), tuple(map(int, p[1])), 255, int(rng.integers(4, 40)))
    return m


def seed_dilate(m, g):
    if g <= 1:
        return m.copy()
    kernel = np.ones((g, g), np.uint8)
    return cv2.dilate(m, kernel, anchor=(g // 2, g // 2), borderType=cv2.BORDER_CONSTANT, borderValue=0)


def main():
    if sys.argv[1] == "process":
        src, g, dst = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        m = cv2.imread(src, cv2.IMREAD_UNCHANGED)
        if m.ndim == 3:
            m = m[:, :, 2]  # red, as the CLI's default for RGB
        h, w = m.shape
        m = (m > 127).astype(np.uint8)[(h % 8) // 2:(h % 8) // 2 + h // 8 * 8, (w % 8) // 2:(w % 8) // 2 + w // 8 * 8]
        cv2.imwrite(dst, seed_dilate(m, g) * 255)
        return 0
    if sys.argv[1] == "make-mask":
        args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
        cv2.imwrite(sys.argv[2], process_mask(int(args.get("--size", 4096))))
        return 0
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    size = int(args.get("--size", 4096))
    reps = int(args.get("--reps", 15))
    cv2.setNumThreads(int(args.get("--threads", 2)))
    m = painted_mask(size)
    for g in [int(v) for v in args.get("--grow", "1,6,8,16,64").split(",")]:
        seed_dilate(m, g)
        t = []
        for _ in range(reps):
            t0 = time.perf_counter()
            seed_dilate(m, g)
            t.append((time.perf_counter() - t0) * 1e3)
        t.sort()
        print(json.dumps({"impl": "opencv-dilate", "opencv": cv2.__version__, "size": size, "grow": g,
                          "threads": cv2.getNumThreads(), "median_ms": round(t[len(t) // 2], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
