"""tinytorch.text.tokenizers: CharTokenizer, the pre-tokenizer and the pieces of BPE (module 10)."""
from collections import Counter

import numpy as np
import pytest

from tests.unit.text.fixtures import prose, random_text
from tinytorch.text import CharTokenizer, pretokenize
from tinytorch.text.bpe import train_incremental
from tinytorch.text.tokenizers import best_pair, count_pairs, encode_word, merge, train_naive


def words_of(text):
    return dict(Counter(tuple(w.encode("utf-8")) for w in pretokenize(text)))


# --- pre-tokenizer -------------------------------------------------------------------------------
def test_pretokenize_joins_back_to_any_text():
    rng = np.random.default_rng(0)
    for length in [0, 1, 2, 5, 30, 200] * 20:
        text = random_text(rng, length)
        assert "".join(pretokenize(text)) == text, repr(text)


def test_pretokenize_splits_words_numbers_symbols_and_spaces():
    assert pretokenize("Hello,  world! It's 42_x\n\n ok") == [
        "Hello", ",", " ", " world", "!", " It", "'", "s", " 42", "_", "x", "\n\n", " ok"]
    assert pretokenize("naïve 日本語😀") == ["naïve", " 日本語", "😀"]


# --- CharTokenizer -------------------------------------------------------------------------------
def test_char_tokenizer_round_trips_its_text_and_sorts_its_vocabulary():
    text = prose(300) + "é😀日"
    tok = CharTokenizer(text)
    assert tok.itos == sorted(set(text)) and tok.vocab_size == len(set(text)) == len(tok)
    ids = tok.encode(text)
    assert all(type(i) is int for i in ids) and ids == [tok.stoi[c] for c in text]
    assert tok.decode(ids) == text and tok.decode(np.array(ids)) == text
    assert tok.encode("") == [] and tok.decode([]) == ""


def test_char_tokenizer_from_a_vocabulary_keeps_its_order():
    tok = CharTokenizer(vocab="zyx😀")
    assert tok.encode("x😀z") == [2, 3, 0] and tok.decode([3, 1]) == "😀y"


def test_unknown_character_names_the_character_and_its_position():
    tok = CharTokenizer("abc ")
    with pytest.raises(ValueError, match=r"character 'é' at position 6 is not in the vocabulary"):
        tok.encode("a cab é")
    with pytest.raises(ValueError, match=r"'z' at position 0"):
        CharTokenizer(vocab=[]).encode("z")


@pytest.mark.parametrize("ids, error, words", [
    ([0, 4], ValueError, "id 4 at position 1 is not in the vocabulary"),
    ([-1], ValueError, "id -1 at position 0"),
    ([0.5], TypeError, "1-D sequence of ints"),
    ([[0]], TypeError, "1-D sequence of ints"),
])
def test_char_decode_rejects_bad_ids_clearly(ids, error, words):
    with pytest.raises(error, match=words):
        CharTokenizer("abcd").decode(ids)


@pytest.mark.parametrize("args, kwargs, error, words", [
    ((), {}, TypeError, "exactly one of"),
    (("ab",), {"vocab": "ab"}, TypeError, "exactly one of"),
    ((b"ab",), {}, TypeError, "text must be a str"),
    ((), {"vocab": ["a", "bc"]}, ValueError, "vocab entry 1 must be one character"),
    ((), {"vocab": "aba"}, ValueError, "'a' appears twice"),
])
def test_char_tokenizer_rejects_bad_vocabularies(args, kwargs, error, words):
    with pytest.raises(error, match=words):
        CharTokenizer(*args, **kwargs)


# --- pairs, merges, training ---------------------------------------------------------------------
def test_count_pairs_weights_each_occurrence_by_the_word_count():
    assert count_pairs({(1, 2, 1, 2): 3, (2, 1): 1, (9,): 5}) == {(1, 2): 6, (2, 1): 4}


def test_merge_scans_left_to_right_without_overlaps():
    assert merge((5, 5, 5), (5, 5), 9) == [9, 5]
    assert merge([1, 2, 1, 2, 1], (2, 1), 7) == [1, 7, 7]


def test_ties_go_to_the_smallest_pair():
    """The stated rule: highest count; among equal counts the smallest (a, b), a first, then b."""
    assert best_pair({(3, 1): 2, (2, 9): 2, (2, 5): 2, (1, 1): 1}) == (2, 5)
    words = {(3, 1): 1, (2, 9): 1, (2, 5): 1}
    assert train_naive(words, 3) == train_incremental(words, 3) == [(2, 5), (2, 9), (3, 1)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_trainer_learns_the_same_merges_as_the_naive_one(seed):
    text = prose(3000, seed) + " naïve 日本語 😀😀 aaaaaaa bbbb"
    words = words_of(text)
    naive = train_naive(words, 150)
    assert len(naive) == 150
    assert train_incremental(words, 150) == naive


def test_both_trainers_stop_when_no_pair_is_left():
    words = {(1, 2, 3): 2, (4,): 1}
    assert train_naive(words, 10) == train_incremental(words, 10) == [(1, 2), (256, 3)]


def test_incremental_trainer_on_random_words_matches_the_naive_one():
    rng = np.random.default_rng(3)
    words = {tuple(rng.integers(0, 4, rng.integers(1, 9)).tolist()): int(rng.integers(1, 5))
             for _ in range(200)}
    assert train_incremental(words, 60) == train_naive(words, 60)


def test_encode_word_reproduces_what_training_made_of_each_word():
    words = words_of(prose(2000, 5))
    merges = train_incremental(words, 120)
    ranks = {p: r for r, p in enumerate(merges)}
    trained = dict(words)
    for k, pair in enumerate(merges):
        trained = {tuple(merge(w, pair, 256 + k)): c for w, c in trained.items()}
    assert sorted(tuple(encode_word(w, ranks)) for w in words) == sorted(trained)
