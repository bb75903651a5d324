#!/usr/bin/env python3
"""Export jieba's dictionary, HMM parameters and IDF table into plain text files.

Usage: export_jieba_data.py OUT_DIR

Writes OUT_DIR/dict.txt (word freq [tag]), OUT_DIR/idf.txt (word idf),
OUT_DIR/hmm.txt and OUT_DIR/VERSION. Floats are written with repr() so that
they round-trip exactly into Swift's Double.
"""
import os
import shutil
import sys


def main():
    if len(sys.argv) != 2:
        print("usage: export_jieba_data.py OUT_DIR", file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    import jieba
    import jieba.finalseg as fs
    base = os.path.dirname(jieba.__file__)
    shutil.copyfile(os.path.join(base, "dict.txt"), os.path.join(out, "dict.txt.tmp"))
    shutil.copyfile(os.path.join(base, "analyse", "idf.txt"), os.path.join(out, "idf.txt.tmp"))
    with open(os.path.join(out, "hmm.txt.tmp"), "w", encoding="utf-8") as f:
        f.write("# jieba finalseg HMM parameters (log probabilities), exported from jieba %s\n" % jieba.__version__)
        for s in "BMES":
            f.write("start %s %r\n" % (s, fs.start_P[s]))
        for a in "BMES":
            for b, p in sorted(fs.trans_P[a].items()):
                f.write("trans %s %s %r\n" % (a, b, p))
        for s in "BMES":
            for ch, p in sorted(fs.emit_P[s].items()):
                f.write("emit %s %04X %r\n" % (s, ord(ch), p))
    for name in ("dict.txt", "idf.txt", "hmm.txt"):
        os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
    with open(os.path.join(out, "VERSION"), "w") as f:
        f.write("jieba %s\n" % jieba.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
