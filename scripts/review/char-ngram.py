#!/usr/bin/env python3
"""Builds the character n-gram model (1- to 4-grams, counts) that the proofreading engine uses as a veto: a typo
"correction" whose character context is much less likely than the written one is dropped (docs/review-engine.md,
round 5). Text: the correct sides of the SIGHAN TRAINING sets train14 + train15 (../shared/eval/spelling); test13,
test14, test15 and train13 are never read. Not committed: built at set-up into $ZHIMEI_TEXT_DATA/review/char_ngram.bin.

  scripts/review/char-ngram.py [--eval DIR] [--out FILE] [--split]   # --split: skip every 5th line (the dev fifth)

Format (little endian): b"ZCN1", u32 E, u64 total (sum of 1-gram counts), E x u64 key, E x u32 count. A key packs
1-4 characters, 16 bits each (code point & 0xFFFF; 0x2 = line start, 0x3 = line end), first character highest.
"""
import argparse, os, struct, sys
from collections import Counter

from sighan_train import training_lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default="../shared/eval/spelling")
    ap.add_argument("--out", default=os.path.join(os.environ.get("ZHIMEI_TEXT_DATA", "data/text"), "review", "char_ngram.bin"))
    ap.add_argument("--split", action="store_true", help="leave out every 5th line, as learn-pairs.py --split does")
    a = ap.parse_args()
    cnt, n, used = Counter(), 0, 0
    for e, g, dev in training_lines(a.eval):
        n += 1
        if a.split and dev:
            continue
        used += 1
        t = [2] + [ord(c) & 0xFFFF for c in g] + [3]
        for i in range(len(t)):
            k = 0
            for j in range(i, max(-1, i - 4), -1):
                k = k | (t[j] << (16 * (i - j)))
                cnt[k] += 1
    total = sum(v for k, v in cnt.items() if k < 0x10000)
    keys = sorted(cnt)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"ZCN1" + struct.pack("<IQ", len(keys), total))
        f.write(struct.pack("<%dQ" % len(keys), *keys))
        f.write(struct.pack("<%dI" % len(keys), *[min(cnt[k], 0xFFFFFFFF) for k in keys]))
    os.replace(tmp, a.out)
    print("char-ngram: %d n-grams from %d lines -> %s" % (len(keys), used, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
