#!/usr/bin/env python3
"""Baseline segmenter: reads stdin lines, writes one line per input line, words separated by a
single space (whitespace tokens dropped), like `zhimei text segment`.

Usage: jieba_segment.py [--impl jieba|rjieba] [--mode precise|search] [--no-hmm] [--time]
With --time, prints the segmentation seconds (excluding start-up and dictionary load) to stderr.
"""
import argparse
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", default="jieba", choices=["jieba", "rjieba"])
    ap.add_argument("--mode", default="precise", choices=["precise", "search"])
    ap.add_argument("--no-hmm", action="store_true")
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="do not write the output (timing only)")
    a = ap.parse_args()
    hmm = not a.no_hmm
    data = sys.stdin.buffer.read().decode("utf-8", "replace")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if a.impl == "jieba":
        import jieba
        jieba.setLogLevel(60)
        jieba.initialize()
        cut = (lambda s: jieba.lcut_for_search(s, HMM=hmm)) if a.mode == "search" else (lambda s: jieba.lcut(s, HMM=hmm))
    else:
        import rjieba
        rjieba.cut("预热")
        cut = (lambda s: rjieba.cut_for_search(s, hmm)) if a.mode == "search" else (lambda s: rjieba.cut(s, hmm))
    t0 = time.perf_counter()
    out = [" ".join(w for w in cut(l) if w.strip()) for l in lines]
    dt = time.perf_counter() - t0
    if a.time:
        print("%.6f" % dt, file=sys.stderr)
    if not a.quiet:
        sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
