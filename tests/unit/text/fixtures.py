"""Generated text for the tokenizer tests: English-like prose and random Unicode strings."""
import numpy as np

WORDS = ("the and of to a in that is was he for it with as his on be at by had not are but from "
         "or have an they which one you were her all she there would their we him been has when "
         "who will more no if out so said what up its about into than them can only other new "
         "some could time these two may then do first any my now such like our over man me even "
         "most made after also did many before must through back years where much your way well "
         "down should because each just those people how too little state good very make world "
         "still own see men work long get here between both life being under never day same "
         "another know while last might us great old year off come since against go came right "
         "thou thee thy hath doth shall lord king queen sweet love death night").split()

# code point ranges to draw from: ASCII, Latin-1, combining marks, Greek, CJK, emoji, and the
# whole range (surrogates excluded by `random_text`)
RANGES = [(0x20, 0x7F), (0x00, 0x20), (0xA0, 0x100), (0x300, 0x370), (0x370, 0x400),
          (0x4E00, 0xA000), (0x1F300, 0x1FB00), (0x2000, 0x2070), (0x3000, 0x3010),
          (0x0, 0x110000)]


def prose(n_words, seed=0):
    """Made-up English-like text: Zipf-distributed words, punctuation, newlines, numbers."""
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(1.3, n_words), len(WORDS)) - 1
    out = []
    for i, r in enumerate(ranks):
        word = WORDS[r].capitalize() if rng.random() < 0.1 else WORDS[r]
        out.append(word)
        u = rng.random()
        out.append(", " if u < 0.08 else ".\n" if u < 0.12 else f" {i} " if u < 0.13 else " ")
    return "".join(out)


def random_text(rng, length):
    """A random valid Unicode string (no lone surrogates) mixing scripts, marks and emoji."""
    chars = []
    for _ in range(length):
        lo, hi = RANGES[rng.integers(len(RANGES))]
        c = int(rng.integers(lo, hi))
        if 0xD800 <= c <= 0xDFFF:
            c = 0xFFFD
        chars.append(chr(c))
    return "".join(chars)
