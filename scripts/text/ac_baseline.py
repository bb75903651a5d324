#!/usr/bin/env python3
"""pyahocorasick baseline: ac_baseline.py TERMS_FILE TEXT_FILE
Prints 'seconds matches' for one scan of the text (automaton build excluded)."""
import sys
import time
import ahocorasick


def main():
    terms = [t for t in open(sys.argv[1], encoding="utf-8").read().split("\n") if t]
    text = open(sys.argv[2], encoding="utf-8", errors="replace").read()
    A = ahocorasick.Automaton()
    for i, t in enumerate(terms):
        A.add_word(t, i)
    A.make_automaton()
    best = None
    n = 0
    for _ in range(2):
        t0 = time.perf_counter()
        n = 0
        for _ in A.iter(text):
            n += 1
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print("%.6f %d" % (best, n))


if __name__ == "__main__":
    main()
