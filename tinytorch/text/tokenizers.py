# Generated from notebooks/masters/10_tokenization.ipynb by tinytorch.export: edit the notebook, not this file.
import re
from collections import Counter

import numpy as np


def _code_points(text):
    """The Unicode code points of `text` as a uint32 array, shape (len(text),)."""
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype="<u4")


def _check_ids(ids, vocab_size, where):
    """`ids` (a sequence of ints) as an int64 array, shape (T,); a clear error for
    anything else."""
    ids = np.asarray(ids)
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(f"{where}: expected a 1-D sequence of ints, got an array of "
                        f"{ids.dtype} with shape {ids.shape}")
    bad = (ids < 0) | (ids >= vocab_size)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{where}: id {int(ids[i])} at position {i} is not in the "
                         f"vocabulary (ids 0 to {vocab_size - 1})")
    return ids.astype(np.int64)


class CharTokenizer:
    """One token per character: id i is the character self.itos[i].

    Args: text: the vocabulary is the sorted distinct characters of `text`; or
        vocab: the characters in id order (distinct, one character each).
    Shape: encode(str of length T) -> list of T ints in [0, vocab_size); decode inverts
    it.
    """

    def __init__(self, text=None, *, vocab=None):
        if (text is None) == (vocab is None):
            raise TypeError("CharTokenizer: give exactly one of text=... or vocab=...")
        if text is not None:
            if not isinstance(text, str):
                raise TypeError("CharTokenizer: text must be a str, not "
                                f"{type(text).__name__}")
            vocab = sorted(set(text))
        vocab = list(vocab)
        for i, c in enumerate(vocab):
            if not (isinstance(c, str) and len(c) == 1):
                raise ValueError(f"CharTokenizer: vocab entry {i} must be one "
                                 f"character, got {c!r}")
        if len(set(vocab)) != len(vocab):
            repeated = next(c for i, c in enumerate(vocab) if c in vocab[:i])
            raise ValueError(f"CharTokenizer: the character {repeated!r} appears twice "
                             "in vocab")
        self.itos = vocab
        self.stoi = {c: i for i, c in enumerate(vocab)}
        codes = _code_points("".join(vocab)).astype(np.int64)
        self._order = np.argsort(codes)  # ids sorted by code point
        self._sorted = codes[self._order]
        self._codes = codes

    @property
    def vocab_size(self):
        return len(self.itos)

    def __len__(self):
        return self.vocab_size

    def encode(self, text):
        """str of length T -> list of T ids."""
        if not isinstance(text, str):
            raise TypeError("CharTokenizer.encode: expected a str, got "
                            f"{type(text).__name__}")
        codes = _code_points(text)
        if codes.size == 0:
            return []
        if len(self._sorted) == 0:
            raise ValueError(f"CharTokenizer.encode: the character {text[0]!r} at "
                             "position 0 "
                             "is not in the vocabulary (0 characters)")
        last = len(self._sorted) - 1
        where = np.minimum(np.searchsorted(self._sorted, codes), last)  # (T,)
        known = self._sorted[where] == codes
        if not known.all():
            i = int(np.argmin(known))
            raise ValueError(f"CharTokenizer.encode: the character {text[i]!r} at "
                             f"position {i} "
                             f"is not in the vocabulary ({self.vocab_size} characters)")
        return self._order[where].tolist()

    def decode(self, ids):
        """Sequence of T ids -> str of length T."""
        ids = _check_ids(ids, self.vocab_size, "CharTokenizer.decode")
        data = self._codes[ids].astype("<u4").tobytes()
        return data.decode("utf-32-le", errors="surrogatepass")

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size})"


WORD_PATTERN = re.compile(r" ?[^\W\d_]+| ?\d+| ?(?:[^\w\s]|_)+|\s+(?!\S)|\s+")


def pretokenize(text):
    """Split `text` into words for BPE: "".join(pretokenize(text)) == text.

    A word is an optional space then letters, digits or other symbols, or a run of
    whitespace (see WORD_PATTERN). Merges never cross a word boundary.
    """
    return WORD_PATTERN.findall(text)


def count_pairs(words):
    """{word (tuple of ids): count} -> {(a, b): occurrences of a followed by b, weighted
    by count}."""
    counts = Counter()
    for word, count in words.items():
        for pair in zip(word, word[1:]):
            counts[pair] += count
    return counts


def merge(ids, pair, new_id):
    """Replace each occurrence of `pair` in `ids` (left to right, no overlaps) by
    `new_id`.

    Shape: ids (T,) -> list of length T - (number of occurrences).
    """
    first, second = pair
    out, i, n = [], 0, len(ids)
    while i < n:
        if i + 1 < n and ids[i] == first and ids[i + 1] == second:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def best_pair(counts):
    """The pair to merge next: the highest count, ties broken by the smallest pair (a,
    b)."""
    return max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))


def train_naive(words, num_merges, first_id=256):
    """BPE training, recounting all pairs every round: {word: count} -> list of merges
    (a, b).

    Merge k creates id first_id + k. Stops early when no pair is left.
    """
    merges = []
    for k in range(num_merges):
        counts = count_pairs(words)
        if not counts:
            break
        pair = best_pair(counts)
        words = {tuple(merge(word, pair, first_id + k)): count
                 for word, count in words.items()}
        merges.append(pair)
    return merges


def encode_word(ids, ranks, first_id=256):
    """Apply BPE merges to one word, lowest rank first: ranks {(a, b): rank}; -> list of
    ids."""
    ids = list(ids)
    while len(ids) >= 2:
        pair = min(zip(ids, ids[1:]), key=lambda p: ranks.get(p, len(ranks)))
        if pair not in ranks:
            break
        ids = merge(ids, pair, first_id + ranks[pair])
    return ids
