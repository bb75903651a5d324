"""The Python baseline of `zhimei bench opinion`: the same per-post steps with jieba and snownlp.

Reads posts (one per line), and for each: segments with jieba, TF-IDF keywords (jieba.analyse), a 64-bit
SimHash over the words (md5 per word), near-duplicate look-up (Hamming distance <= 3 over 4 band buckets),
snownlp sentiment, and single-pass clustering by cosine over keyword weights (threshold 0.3, anchor rule).
Prints `posts_per_second N` last.
"""
import collections, hashlib, math, sys, time
import jieba, jieba.analyse
from snownlp import SnowNLP

jieba.setLogLevel(60)
posts = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
jieba.lcut("预热")

def simhash(words):
    v = [0] * 64
    for w in words:
        h = int(hashlib.md5(w.encode("utf-8")).hexdigest()[:16], 16)
        for i in range(64):
            v[i] += 1 if (h >> i) & 1 else -1
    return sum(1 << i for i in range(64) if v[i] > 0)

start = time.time()
bands = [collections.defaultdict(list) for _ in range(4)]
fps, post_event = [], []
centroids, inverted = [], collections.defaultdict(list)
for text in posts:
    words = jieba.lcut(text)
    kws = dict(jieba.analyse.extract_tags(text, topK=12, withWeight=True))
    fp = simhash(words)
    sentiment = SnowNLP(text).sentiments
    near = None
    for b in range(4):
        for j in bands[b][(fp >> (16 * b)) & 0xFFFF]:
            if bin(fps[j] ^ fp).count("1") <= 3:
                near = j
                break
        if near is not None:
            break
    if near is not None:
        event = post_event[near]
    else:
        norm = math.sqrt(sum(w * w for w in kws.values())) or 1
        best, score = -1, 0.0
        # Anchor rule as in EventClusterer: the event must hold 2 of the post's 3 strongest keywords.
        anchors = [k for k, _ in sorted(kws.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
        required = min(2, len(anchors))
        for c in set(c for k in kws for c in inverted[k]):
            cen = centroids[c]
            if sum(1 for a in anchors if a in cen) < required:
                continue
            cn = math.sqrt(sum(w * w for w in cen.values())) or 1
            s = sum(w * cen.get(k, 0) for k, w in kws.items()) / (norm * cn)
            if s > score:
                best, score = c, s
        if best < 0 or score < 0.3:
            centroids.append({})
            event = len(centroids) - 1
        else:
            event = best
    for k, w in kws.items():
        if k not in centroids[event]:
            inverted[k].append(event)
        centroids[event][k] = centroids[event].get(k, 0) + w
    for b in range(4):
        bands[b][(fp >> (16 * b)) & 0xFFFF].append(len(fps))
    fps.append(fp)
    post_event.append(event)
elapsed = time.time() - start
print("events %d" % len(centroids))
print("posts_per_second %.1f" % (len(posts) / elapsed))
