#!/usr/bin/env python3
"""Learns the confusion prior of the typo model from the SIGHAN TRAINING sets (train14, train15) and writes it
as code constants into Sources/ZhimeiReview/LearnedPairs.swift. Run at tuning time only; the eval files never go
into the product or its data directory (only counts do), and test13/test14 are never read.

  * pairs: written character -> intended character with a cost -ln P(written | intended);
  * contexts: for a lone written character (a one-character word of the engine's segmentation), the part-of-speech
    tags of its neighbours (jieba dict.txt tags, coarse) in which writers mostly meant another character.

  scripts/review/learn-pairs.py [--eval ../shared/eval/spelling] [--split DEVDIR] [--min-count 2]

--split DEVDIR learns from 4/5 of the lines only and writes every 5th line to DEVDIR as dev_error.txt /
dev_correct.txt for threshold tuning (`zhimei bench review --spelling DEVDIR --sets dev`).
"""
import argparse, math, os, sys
from collections import Counter, defaultdict

from sighan_train import training_lines
COARSE_KEEP = {"uj", "ud", "ul", "uz", "ad", "an", "vn", "nr", "ns", "zg"}


def coarse(t):
    return t if t in COARSE_KEEP else t[:1]


def is_han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def load_dict(path):
    freq, tags, tot = {}, {}, 0.0
    for line in open(path, encoding="utf-8"):
        c = line.split()
        if len(c) < 2:
            continue
        f = float(c[1]); tot += f
        # same exclusions as WordStatistics.excludedWords
        if len(c[0]) <= 4 and c[0] not in ("自已", "象样", "既使", "按装", "一但"):
            freq[c[0]] = f; tags[c[0]] = c[2] if len(c) > 2 else ""
    lt = math.log(tot)
    return {w: math.log(f) - lt for w, f in freq.items()}, tags, math.log(0.5) - lt


def tokens(s, lp, tags, unk):
    """(start, end, tag) as the engine segments: max-probability path per Han run (words of 1-4 characters)."""
    out, i, n = [], 0, len(s)
    while i < n:
        if not is_han(s[i]):
            out.append((i, i + 1, "x")); i += 1; continue
        j = i
        while j < n and is_han(s[j]):
            j += 1
        r = s[i:j]; m = len(r)
        best = [0.0] + [-1e30] * m; frm = [0] * (m + 1)
        for q in range(1, m + 1):
            for L in range(1, min(4, q) + 1):
                w = r[q - L:q]
                if w in lp: v = lp[w]
                elif L == 1: v = unk
                else: continue
                if best[q - L] + v > best[q]:
                    best[q] = best[q - L] + v; frm[q] = q - L
        seg, q = [], m
        while q > 0:
            seg.append((frm[q], q)); q = frm[q]
        for x, y in reversed(seg):
            out.append((i + x, i + y, tags.get(r[x:y], "?")))
        i = j
    return out


def context_table(learn, pairs, a):
    lp, tags, unk = load_dict(a.dict)
    src = set(x for (x, y), k in pairs.items() if k >= 5)
    tab = defaultdict(Counter)
    for e, g in learn:
        toks = tokens(e, lp, tags, unk)
        for k, (s0, s1, t) in enumerate(toks):
            if s1 - s0 != 1 or e[s0] not in src:
                continue
            pt = coarse(toks[k - 1][2]) if k > 0 else "^"
            nt = coarse(toks[k + 1][2]) if k + 1 < len(toks) else "$"
            for key in ((e[s0], pt, nt), (e[s0], pt, "*"), (e[s0], "*", nt)):
                tab[key][g[s0]] += 1
    out = []
    for key in sorted(tab):
        c = tab[key]; n = sum(c.values())
        y, k = c.most_common(1)[0]
        # a key with enough evidence decides (the engine stops at the first such key: specific, then backed off);
        # "keep" entries (share 0) record contexts where the written character is mostly right
        if n < a.context_min:
            continue
        share = k / n if y != key[0] else 0.0
        if y == key[0] or share < a.context_share:
            y, share = key[0], 0.0
        out.append("%s|%s|%s|%s|%d" % (key[0], key[1], key[2], y, round(100 * share)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default="../shared/eval/spelling")
    ap.add_argument("--split", default=None)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--out", default="Sources/ZhimeiReview/LearnedPairs.swift")
    ap.add_argument("--dict", default=os.path.join(os.environ.get("ZHIMEI_TEXT_DATA", "data/text"), "dict.txt"))
    ap.add_argument("--context-min", type=int, default=5, help="occurrences of a tag context before it decides")
    ap.add_argument("--context-share", type=float, default=0.6, help="share of the intended character in that context")
    a = ap.parse_args()
    pairs, chars, learn = Counter(), Counter(), []
    dev_e, dev_c = [], []
    n = 0
    for e, g, dev in training_lines(a.eval):
        n += 1
        if a.split and dev:
            dev_e.append(e); dev_c.append(g)
            continue
        chars.update(g)
        if len(e) != len(g):
            continue
        learn.append((e, g))
        for x, y in zip(e, g):
            if x != y and is_han(x) and is_han(y):
                pairs[(x, y)] += 1
    if a.split:
        os.makedirs(a.split, exist_ok=True)
        open(os.path.join(a.split, "dev_error.txt"), "w", encoding="utf-8").write("\n".join(dev_e) + "\n")
        open(os.path.join(a.split, "dev_correct.txt"), "w", encoding="utf-8").write("\n".join(dev_c) + "\n")
    rows = []
    for (x, y), k in sorted(pairs.items(), key=lambda t: (-t[1], t[0])):
        if k < a.min_count:
            continue
        # noisy channel: P(written x | intended y) = errors / occurrences of y in the corrected text
        cost = -math.log(k / (chars[y] + k + 1))
        rows.append("%s%s%.1f" % (x, y, min(max(cost, 0.1), 9.9)))
    ctx = context_table(learn, pairs, a)
    lines = [" ".join(rows[i:i + 12]) for i in range(0, len(rows), 12)]
    clines = [" ".join(ctx[i:i + 8]) for i in range(0, len(ctx), 8)]
    what = "4/5 of the lines, every 5th held out for tuning" if a.split else "all lines"
    src = ("// Generated by scripts/review/learn-pairs.py — do not edit by hand.\n"
           "// Learned from the SIGHAN training sets train14 + train15 (%s; %d pairs seen at least %d times,\n"
           "// %d tag contexts). Only counts are kept, no sentence of the data.\n\n"
           "/// The learned confusion prior of the typo model: which character substitutions writers really make, and where.\n"
           "enum LearnedPairs {\n"
           "    /// \"xy1.5\" = x is written where y was meant, cost 1.5 = -ln P(written x | intended y); space separated.\n"
           "    static let table = \"\"\"\n%s\n\"\"\"\n"
           "    /// Tag contexts of a lone written character x (coarse jieba tags of the neighbouring words; ^ $ = line start or\n"
           "    /// end, x = not Han, * = any): \"x|prev|next|y|share\" = y was meant in share %% of %d+ cases (y = x, share 0:\n"
           "    /// x is mostly right there). Looked up specific first, then (prev, *), then (*, next); the first hit decides.\n"
           "    static let context = \"\"\"\n%s\n\"\"\"\n}\n") % (what, len(rows), a.min_count, len(ctx), "\n".join(lines), a.context_min, "\n".join(clines))
    open(a.out, "w", encoding="utf-8").write(src)
    print("learn-pairs: %d pairs (min count %d), %d contexts from %d lines -> %s%s" % (
        len(rows), a.min_count, len(ctx), n, a.out, "; dev set %d lines -> %s" % (len(dev_e), a.split) if a.split else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
