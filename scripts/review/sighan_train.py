"""The SIGHAN training lines both review scripts learn from (train14 + train15 of ../shared/eval/spelling; test13,
test14, test15 and train13 are never read), with the dev fifth that --split leaves out for tuning."""
import os

SETS = ["train14", "train15"]


def training_lines(eval_dir):
    """Yields (written, gold, is_dev) for every non-empty line pair; every 5th pair is the dev fifth."""
    n = 0
    for s in SETS:
        err = open(os.path.join(eval_dir, s + "_error.txt"), encoding="utf-8").read().split("\n")
        cor = open(os.path.join(eval_dir, s + "_correct.txt"), encoding="utf-8").read().split("\n")
        for e, g in zip(err, cor):
            if not e or not g:
                continue
            n += 1
            yield e, g, n % 5 == 0
