# Generated from notebooks/masters/10_tokenization.ipynb by tinytorch.export: edit the notebook, not this file.
import heapq
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from tinytorch.text.tokenizers import (WORD_PATTERN, _check_ids, encode_word, merge,
                                       pretokenize)


def train_incremental(words, num_merges, first_id=256):
    """The merges train_naive would learn, updating only the words that contain each
    merged pair.

    words: {word (tuple of ids): count}. Returns at most num_merges pairs (a, b);
    merge k creates id first_id + k. Ties: highest count, then smallest pair (as
    best_pair).
    """
    vocab = [list(word) for word in words]
    freqs = list(words.values())
    counts, where = Counter(), defaultdict(set)
    for i, (word, freq) in enumerate(zip(vocab, freqs)):
        for pair in zip(word, word[1:]):
            counts[pair] += freq
            where[pair].add(i)
    heap = [(-count, pair) for pair, count in counts.items()]
    heapq.heapify(heap)
    merges = []
    while heap and len(merges) < num_merges:
        neg_count, pair = heapq.heappop(heap)
        if counts.get(pair) != -neg_count:
            continue  # stale: the count changed after this entry was pushed
        new_id = first_id + len(merges)
        merges.append(pair)
        changed = set()
        for i in where.pop(pair):
            word, freq = vocab[i], freqs[i]
            for old in zip(word, word[1:]):
                counts[old] -= freq
                changed.add(old)
            word = vocab[i] = merge(word, pair, new_id)
            for new in zip(word, word[1:]):
                counts[new] += freq
                where[new].add(i)
                changed.add(new)
        for p in changed:
            if counts[p] > 0:
                heapq.heappush(heap, (-counts[p], p))
            else:
                del counts[p]
                where.pop(p, None)
    return merges


FORMAT, VERSION = "tinytorch.text.BPETokenizer", 1


def _save(tokenizer, path):
    """Write `tokenizer` to `path` as JSON."""
    tokens = {str(i): tokenizer.token_bytes(i).decode("utf-8", "backslashreplace")
              for i in range(256, 256 + len(tokenizer.merges))}
    state = {"format": FORMAT, "version": VERSION, "pattern": WORD_PATTERN.pattern,
             "merges": [list(pair) for pair in tokenizer.merges],
             "special_tokens": list(tokenizer.special_tokens), "tokens": tokens}
    text = json.dumps(state, indent=1, ensure_ascii=False)
    text = re.sub(r"\[\s+(\d+),\s+(\d+)\s+\]", r"[\1, \2]", text)  # one merge per line
    Path(path).write_text(text + "\n", encoding="utf-8")


def _load(cls, path):
    """The tokenizer saved in `path`; ValueError that names the file and the problem."""
    try:
        state = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        message = f"BPETokenizer.load: {path} is not a JSON file ({e})"
        raise ValueError(message) from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"BPETokenizer.load: {path} is not a saved BPETokenizer "
                         "(expected a JSON "
                         f"object with \"format\": \"{FORMAT}\")")
    if state.get("version") != VERSION:
        raise ValueError(f"BPETokenizer.load: {path} has version "
                         f"{state.get('version')!r}; this "
                         f"tinytorch reads version {VERSION}")
    if state.get("pattern") != WORD_PATTERN.pattern:
        raise ValueError(f"BPETokenizer.load: {path} was saved with another "
                         "pre-tokenizer pattern, "
                         f"{state.get('pattern')!r}; its merges would not fit this one")
    merges, specials = state.get("merges"), state.get("special_tokens", [])
    if not isinstance(merges, list) or not isinstance(specials, list):
        raise ValueError(f"BPETokenizer.load: {path}: \"merges\" and "
                         "\"special_tokens\" must be lists")
    try:
        return cls([tuple(p) if isinstance(p, list) else p for p in merges], specials)
    except ValueError as e:
        raise ValueError(f"BPETokenizer.load: {path}: {e}") from None


_CACHE_LIMIT = 200_000  # distinct words remembered by encode


def _utf8(text, where):
    """`text` as UTF-8 bytes; ValueError naming the position of a lone surrogate."""
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected a str, got {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{where}: the character U+{ord(text[e.start]):04X} at "
                         f"position {e.start} "
                         "is a lone surrogate, which has no UTF-8 bytes; only valid "
                         "Unicode text "
                         "can be encoded") from None


class BPETokenizer:
    """Byte-level BPE: ids 0-255 are bytes, 256 + r the merge of rank r, then the
    special tokens.

    Build one with BPETokenizer.train(text, vocab_size, special_tokens=()) or
    BPETokenizer.load(path).
    Shape: encode(str) -> list of ids; decode(ids) -> str; decode(encode(s)) == s for
    valid Unicode s.
    """

    def __init__(self, merges=(), special_tokens=()):
        self.merges = []
        for r, pair in enumerate(merges):
            ints = all(isinstance(i, int) and not isinstance(i, bool) for i in pair)
            if (not isinstance(pair, (tuple, list)) or len(pair) != 2 or not ints
                    or not all(0 <= i < 256 + r for i in pair)):
                raise ValueError(f"BPETokenizer: merge {r} must be a pair of ids below "
                                 f"{256 + r} "
                                 f"(bytes or earlier merges), got {pair!r}")
            self.merges.append(tuple(pair))
        self.ranks = {pair: r for r, pair in enumerate(self.merges)}
        if len(self.ranks) != len(self.merges):
            raise ValueError("BPETokenizer: the same pair is merged twice")
        specials = list(special_tokens)
        if (not all(isinstance(s, str) and s for s in specials)
                or len(set(specials)) != len(specials)):
            raise ValueError("BPETokenizer: special_tokens must be distinct non-empty "
                             "strings, "
                             f"got {specials!r}")
        first = 256 + len(self.merges)
        self.special_tokens = {s: first + k for k, s in enumerate(specials)}
        self._bytes = [bytes([i]) for i in range(256)]
        for a, b in self.merges:
            self._bytes.append(self._bytes[a] + self._bytes[b])
        self._bytes += [s.encode("utf-8") for s in specials]
        longest_first = sorted(specials, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, longest_first))
        self._special_split = re.compile(f"({alternatives})") if specials else None
        self._cache = {}

    @property
    def vocab_size(self):
        return len(self._bytes)

    def __len__(self):
        return self.vocab_size

    def __repr__(self):
        return (f"BPETokenizer(vocab_size={self.vocab_size}, "
                f"merges={len(self.merges)}, "
                f"special_tokens={list(self.special_tokens)})")

    @classmethod
    def train(cls, text, vocab_size, special_tokens=()):
        """Learn vocab_size - 256 - len(special_tokens) merges from `text` (fewer if it
        runs out)."""
        _utf8(text, "BPETokenizer.train")
        specials = list(special_tokens)
        if not isinstance(vocab_size, int) or vocab_size < 256 + len(specials):
            raise ValueError("BPETokenizer.train: vocab_size must be an int of at "
                             "least "
                             f"{256 + len(specials)} (256 bytes + {len(specials)} "
                             "special tokens), "
                             f"got {vocab_size!r}")
        tokenizer = cls((), specials)  # checks the special tokens, splits the text
        pieces = tokenizer._special_split.split(text)[::2] if specials else [text]
        counts = Counter(word for piece in pieces for word in pretokenize(piece))
        words = {tuple(word.encode("utf-8")): n for word, n in counts.items()}
        return cls(train_incremental(words, vocab_size - 256 - len(specials)), specials)

    def _encode_text(self, text, ids):
        cache, ranks = self._cache, self.ranks
        for word in pretokenize(text):
            tokens = cache.get(word)
            if tokens is None:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()  # a bound on memory; frequent words come back at once
                tokens = cache[word] = encode_word(word.encode("utf-8"), ranks)
            ids.extend(tokens)

    def encode(self, text):
        """str -> list of ids; special tokens, where they appear, become their single
        id."""
        _utf8(text, "BPETokenizer.encode")
        ids = []
        if self._special_split is None:
            self._encode_text(text, ids)
            return ids
        for k, piece in enumerate(self._special_split.split(text)):
            if k % 2:
                ids.append(self.special_tokens[piece])
            elif piece:
                self._encode_text(piece, ids)
        return ids

    def decode(self, ids):
        """Sequence of ids -> str; bytes that end mid-character decode as U+FFFD
        (errors="replace")."""
        ids = _check_ids(ids, self.vocab_size, "BPETokenizer.decode")
        # map and join run in C: as fast as a NumPy gather of the bytes, measured
        data = b"".join(map(self._bytes.__getitem__, ids.tolist()))
        return data.decode("utf-8", errors="replace")

    def token_bytes(self, id):
        """The bytes that token `id` stands for."""
        return self._bytes[id]

    def save(self, path):
        """Write the tokenizer to `path` as JSON (format name and version included)."""
        _save(self, path)

    @classmethod
    def load(cls, path):
        """The tokenizer saved at `path`; ValueError naming the file and the problem if
        it is bad."""
        return _load(cls, path)
