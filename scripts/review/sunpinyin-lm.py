#!/usr/bin/env python3
"""Converts the open-gram word language model shipped by Debian's sunpinyin-data (CC BY-SA 3.0) into the
compact bigram file the proofreading engine loads (lm_bigram.bin).

usage: sunpinyin-lm.py PYDICT_SC_BIN TSLMINFO_DUMP OUT_FILE
  PYDICT_SC_BIN  pydict_sc.bin (the lexicon: word ids -> UTF-32 strings)
  TSLMINFO_DUMP  output of `tslminfo -v lm_sc.t3g` (ARPA-like, word ids, -ln(Pr))

Output (little endian): b"ZLM1", u32 word count W, u32 bigram count B,
  W x (u64 packed word key, f32 ln P(word), f32 ln backoff(word)),
  B x u64 (i << 32 | j) sorted ascending (i, j = indexes into the word table), B x f32 ln P(j | i).
A word key packs up to four BMP scalars, 16 bits each (the same packing as WordStatistics.key);
longer words are dropped (the engine's segmenter never produces them). Trigrams are not used.
"""
import struct, sys

def lexicon(path):
    b = open(path, "rb").read()
    n, _, off = struct.unpack("<3I", b[:12])
    chars = struct.unpack("<%dI" % ((len(b) - off) // 4), b[off:off + (len(b) - off) // 4 * 4])
    words, cur = [], []  # string k of the table is word id k (ids below 70 are reserved, empty)
    for c in chars:
        if c == 0:
            words.append("".join(map(chr, cur))); cur = []
        else:
            cur.append(c)
    if len(words) < n:
        sys.exit("sunpinyin-lm: lexicon has %d words, header says %d" % (len(words), n))
    return words

def key(w):
    if not w or len(w) > 4 or any(ord(c) >= 0x10000 for c in w):
        return None
    k = 0
    for c in w:
        k = k << 16 | ord(c)
    return k

def main():
    words = lexicon(sys.argv[1])
    uni, bi, section = {}, {}, 0
    for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
        if line.startswith("\\"):
            section = int(line[1]); continue
        p = line.split()
        if section == 1 and len(p) >= 3:
            uni[int(p[0])] = (-float(p[1]), -float(p[2]))
        elif section == 2 and len(p) >= 4:
            bi[(int(p[0]), int(p[1]))] = -float(p[2])
    if len(uni) < 10000 or len(bi) < 100000:
        sys.exit("sunpinyin-lm: dump looks truncated (%d unigrams, %d bigrams)" % (len(uni), len(bi)))
    # a word written the same way with several readings (行 xing/hang) has several ids: merge them into one entry
    # (unigram probabilities summed, the most frequent reading's backoff, the best bigram of the readings)
    import math
    index, table, slot = {}, [], {}
    for wid in sorted(uni, key=lambda w: -uni[w][0]):
        k = key(words[wid]) if wid < len(words) else None
        if k is None:
            continue
        if k in slot:
            t = table[slot[k]]
            table[slot[k]] = (k, math.log(math.exp(t[1]) + math.exp(uni[wid][0])), t[2])
        else:
            slot[k] = len(table)
            table.append((k, uni[wid][0], uni[wid][1]))
        index[wid] = slot[k]
    merged = {}
    for (a, b), lp in bi.items():
        if a in index and b in index:
            p = index[a] << 32 | index[b]
            if lp > merged.get(p, -1e9):
                merged[p] = lp
    pairs = sorted(merged.items())
    with open(sys.argv[3] + ".tmp", "wb") as fh:
        fh.write(b"ZLM1" + struct.pack("<II", len(table), len(pairs)))
        for k, lp, bow in table:
            fh.write(struct.pack("<Qff", k, lp, bow))
        fh.write(struct.pack("<%dQ" % len(pairs), *[p[0] for p in pairs]))
        fh.write(struct.pack("<%df" % len(pairs), *[p[1] for p in pairs]))
    import os
    os.replace(sys.argv[3] + ".tmp", sys.argv[3])
    print("sunpinyin-lm: %d words, %d bigrams" % (len(table), len(pairs)), file=sys.stderr)

main()
