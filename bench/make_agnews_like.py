#!/usr/bin/env python3
"""make_agnews_like.py: writes a CSV shaped like AG News train.csv, for timing
`recur prep text-csv` (the figure goes in docs/PERFORMANCE.md).

Layout as the real file: no header, three quoted fields per line `"3","Title","Description"`,
labels 1..4, LF line ends. The text is made-up words drawn from a Zipf-like distribution
over a fixed vocabulary (English-like word lengths), with the real file's habits: commas
in descriptions, doubled quotes, "(Reuters)"-style sources, numbers, `\\` where the
original had line breaks, `#39;` for apostrophes, and (rarely) a real line break inside
a field; and a tail of rare names (as the real file, whose vocabulary keeps growing with
its size). Deterministic: the same --seed and --lines give the same bytes. Standard library
only.

    python3 bench/make_agnews_like.py --lines 120000 --out /tmp/agnews_like.csv
    time build/recur prep text-csv --train=/tmp/agnews_like.csv --header=0 \\
        --label_column=1 --text_columns=2,3 --output=/tmp/agnews_like.h5
"""
import argparse
import bisect
import itertools
import random

LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
LETTER_WEIGHTS = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4,
                  2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1]
# Word lengths of running English news text (1..14 letters).
LENGTH_WEIGHTS = [3, 17, 21, 16, 11, 9, 8, 6, 4, 2.5, 1.5, 1, 0.6, 0.4]
SOURCES = ["Reuters", "AP", "AFP", "Forbes.com", "SPACE.com", "TechWeb", "Sports Network"]
VOCABULARY = 60000
FREQUENT_SHORT = 60          # the top of the frequency list: short words
TITLE_WORDS = (4, 11)        # words in a title
DESCRIPTION_WORDS = (12, 60)  # words in a description (mean about 31, as AG News)


def make_vocabulary(rng):
    words, seen = [], set()
    cum_letters = list(itertools.accumulate(LETTER_WEIGHTS))
    cum_lengths = list(itertools.accumulate(LENGTH_WEIGHTS))
    while len(words) < VOCABULARY:
        n = 1 + bisect.bisect(cum_lengths, rng.random() * cum_lengths[-1])
        w = "".join(rng.choices(LETTERS, cum_weights=cum_letters, k=n))
        if w not in seen:
            seen.add(w)
            words.append(w)
    # The most frequent words are short ones (the, of, to, a, in), the rest any length.
    rng.shuffle(words)
    short = [w for w in words if len(w) <= 3][:FREQUENT_SHORT]
    chosen = set(short)
    return short + [w for w in words if w not in chosen]


def zipf_weights(n, s=1.05):
    return list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(n)))


class Writer:
    def __init__(self, rng):
        self.rng = rng
        self.words = make_vocabulary(rng)
        self.cum = zipf_weights(len(self.words))

    def draw(self, k):
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def rare_word(self):
        """A name or typo: the long tail of words seen once or twice."""
        n = self.rng.randint(4, 10)
        return "".join(self.rng.choice(LETTERS) for _ in range(n)).capitalize()

    def title(self):
        rng = self.rng
        words = [w.capitalize() for w in self.draw(rng.randint(*TITLE_WORDS))]
        if rng.random() < 0.3:
            words.append("(%s)" % rng.choice(SOURCES))
        if rng.random() < 0.05:
            i = rng.randrange(len(words))
            words[i] = '""%s""' % words[i]  # a quoted word, quotes doubled in CSV
        return " ".join(words)

    def description(self):
        rng = self.rng
        out = []
        if rng.random() < 0.3:
            out.append("%s - " % rng.choice(SOURCES))
        n = rng.randint(*DESCRIPTION_WORDS)
        words = self.draw(n)
        sentence_start = True
        for i, w in enumerate(words):
            if sentence_start:
                w = w.capitalize()
            r = rng.random()
            if r < 0.02:
                w = str(rng.randint(1, 2000))
            elif r < 0.03:
                w += "#39;s"
            elif r < 0.036:
                w = self.rare_word()
            sep = " "
            r = rng.random()
            if i == n - 1:
                sep = "."
            elif r < 0.08:
                sep = ", "
            elif r < 0.13:
                sep = ". "
            elif r < 0.135:
                sep = "\\"  # AG News' stand-in for a line break
            elif r < 0.1352:
                sep = "\n"  # a real line break inside the quoted field
            sentence_start = sep == ". "
            out.append(w + sep)
        return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=120000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    writer = Writer(rng)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        for _ in range(args.lines):
            label = rng.randint(1, 4)
            f.write('"%d","%s","%s"\n' % (label, writer.title(), writer.description()))


if __name__ == "__main__":
    main()
