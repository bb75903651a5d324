#!/usr/bin/env python3
"""Learns the decision of the typo model's confusion search (round 9): a logistic regression over the evidence the
engine already computes for each candidate replacement, instead of one hand-set threshold on a weighted sum.

Run at tuning time only, on the dev fifth written by `learn-pairs.py --split DIR` (never on test sets):

  # candidates of the dev fifth and of its gold side, with the held-out prior and character model
  for s in dev devclean; do
    ZHIMEI_REVIEW_DUMP=1 ZHIMEI_REVIEW_PRIOR=prior45.swift ZHIMEI_REVIEW_CHARLM=char45.bin \\
      zhimei review --correct < DIR/${s}_error.txt > /dev/null 2> DIR/candidates-${s}.txt
  done
  scripts/review/train-confusion.py --split DIR [--dict data/text/dict.txt] [--l2 1.0]

`ZHIMEI_REVIEW_DUMP` makes the engine print, per input line, `LINE` and then one `CAND` row per candidate of the
first pass of the confusion search: position, written and proposed character (code points), gain (unigram + bigram
language model − cost), its language-model part, the cost, the generic cost (0.5 same tone, 4 other tone or near
reading, 2.5 look-alike), the character n-gram gain and whether the character model vetoes it. A candidate is
positive when the gold line has the proposed character at that position.

Prints 5-fold cross-validated counts (folds by line, a dev line and its gold twin together) per decision threshold,
and the weights to paste into `CandidateClassifier.confusion` in Sources/ZhimeiReview/CandidateClassifier.swift.
`--pass realword` fits the same model to the `RW` rows of the real-word pass (position, written and proposed
character, language-model gain − cost, cost, character n-gram gain); tried in round 9 and not adopted.
"""
import argparse, math
import numpy as np

NAMES = ["gain", "lm", "unigram", "charGain", "unseen", "lnFreqWritten", "lnFreqProposed", "vetoed", "otherTone", "shape"]
REAL_WORD_NAMES = ["gain", "cost", "charGain", "vetoed", "lnFreqWritten", "lnFreqProposed"]


def one_char_freq(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        p = line.split()
        if len(p) >= 2 and len(p[0]) == 1:
            out[p[0]] = int(p[1])
    return out


def load(split, name, freq, kind):
    """Candidates of one pass: `CAND` rows (confusion search) or `RW` rows (real-word pairs)."""
    src = open(f"{split}/{name}_error.txt", encoding="utf-8").read().split("\n")
    gold = open(f"{split}/{name}_correct.txt", encoding="utf-8").read().split("\n")
    X, y, lines = [], [], []
    li = -1
    seen = set()
    for row in open(f"{split}/candidates-{name}.txt", encoding="utf-8"):
        p = row.rstrip("\n").split("\t")
        if p[0] == "LINE":
            li += 1
            continue
        if p[0] != kind:
            continue
        i, o, c = int(p[1]), chr(int(p[2])), chr(int(p[3]))
        if kind == "RW":
            # the real-word pass may score a position again after a fix elsewhere in the line: count it once
            if (li, i, c) in seen:
                continue
            seen.add((li, i, c))
            gain, cost, cg = map(float, p[4:7])
            X.append(real_word_features(gain, cost, cg, freq.get(o, 0), freq.get(c, 0)))
        else:
            gain, lm, cost, generic, cg = map(float, p[4:9])
            X.append(features(gain, lm, cost, generic, cg, p[9] == "true", freq.get(o, 0), freq.get(c, 0)))
        s, g = src[li], gold[li]
        y.append(len(s) == len(g) and i < len(g) and g[i] == c)
        lines.append(li)
    return np.array(X), np.array(y), np.array(lines)


def real_word_features(gain, cost, cg, fo, fc):
    """Features of a real-word candidate (gain = language-model gain − cost); not used by the engine (round 9)."""
    return [gain, cost, cg, 1.0 if cg <= -1 else 0.0, math.log1p(fo), math.log1p(fc)]


def features(gain, lm, cost, generic, cg, vetoed, fo, fc):
    """The same vector as `CandidateClassifier.confusionFeatures` in Swift."""
    return [gain, lm, gain - lm + cost, cg, 1.0 if cost - generic > 2.9 else 0.0, math.log1p(fo), math.log1p(fc),
            1.0 if vetoed else 0.0, 1.0 if generic == 4.0 else 0.0, 1.0 if generic == 2.5 else 0.0]


def fit(X, y, l2, iters=3000):
    """L2-regularised logistic regression (bias not penalised) by Newton's method."""
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, 1.0 / l2)
    reg[-1] = 0
    for _ in range(iters):
        z = A @ w
        p = 1 / (1 + np.exp(-z))
        grad = A.T @ (p - y) + reg * w
        H = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", required=True)
    ap.add_argument("--dict", default="data/text/dict.txt")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--pass", dest="kind", choices=["confusion", "realword"], default="confusion")
    a = ap.parse_args()
    freq = one_char_freq(a.dict)
    kind = "RW" if a.kind == "realword" else "CAND"
    Xd, yd, ld = load(a.split, "dev", freq, kind)
    Xc, yc, lc = load(a.split, "devclean", freq, kind)
    X, y = np.vstack([Xd, Xc]), np.concatenate([yd, yc]).astype(float)
    lines, clean = np.concatenate([ld, lc]), np.concatenate([np.zeros(len(yd), bool), np.ones(len(yc), bool)])
    fold = lines % 5
    z = np.zeros(len(y))
    for f in range(5):
        w = fit(X[fold != f], y[fold != f], a.l2)
        z[fold == f] = np.hstack([X[fold == f], np.ones(((fold == f).sum(), 1))]) @ w
    yb = y.astype(bool)
    print("cross-validated (5 folds by line): threshold, true, false, gold-side lines with a false candidate")
    for t in [0, 0.25, 0.5, 0.75, 1, 1.5]:
        acc = z > t
        print(f"  {t:5.2f} {int((acc & yb).sum()):5d} {int((acc & ~yb).sum()):5d} {len(set(lines[acc & clean]))}")
    w = fit(X, y, a.l2)
    print("weights (all of dev + gold side):")
    for name, v in zip((NAMES if kind == "CAND" else REAL_WORD_NAMES) + ["bias"], w):
        print(f"  {name:16s} {v: .6f}")


if __name__ == "__main__":
    main()
