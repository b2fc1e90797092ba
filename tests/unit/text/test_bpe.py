"""tinytorch.text.BPETokenizer: byte-level BPE (module 10). Round trips over generated Unicode text,
special tokens, save/load and its errors, and compression against Hugging Face `tokenizers`
(optional: skipped when it is not installed)."""
import json

import numpy as np
import pytest

from tests.unit.text.fixtures import prose, random_text
from tinytorch.text import BPETokenizer, pretokenize
from tinytorch.text import bpe as bpe_module
from tinytorch.text.tokenizers import encode_word

EOT = "<|endoftext|>"


@pytest.fixture(scope="module")
def text():
    return prose(6000, seed=1)


@pytest.fixture(scope="module")
def tok(text):
    return BPETokenizer.train(text, 400, special_tokens=[EOT, "<pad>"])


def test_train_learns_the_requested_vocabulary(tok):
    assert tok.vocab_size == len(tok) == 400 and len(tok.merges) == 400 - 256 - 2
    assert tok.special_tokens == {EOT: 398, "<pad>": 399}
    assert all(tok.token_bytes(256 + r) == tok.token_bytes(a) + tok.token_bytes(b)
               for r, (a, b) in enumerate(tok.merges))


def test_round_trip_of_random_unicode_strings(tok):
    """decode(encode(s)) == s for strings of every script, marks, emoji, controls, never seen."""
    rng = np.random.default_rng(0)
    for length in [0, 1, 2, 3, 10, 50, 300] * 40:
        s = random_text(rng, length)
        ids = tok.encode(s)
        assert all(type(i) is int and 0 <= i < tok.vocab_size for i in ids)
        assert tok.decode(ids) == s, repr(s)


def test_round_trip_of_special_tokens_between_random_text(tok):
    rng = np.random.default_rng(1)
    for _ in range(100):
        parts = [random_text(rng, int(rng.integers(0, 8))) for _ in range(4)]
        s = EOT.join(parts) + "<pad>"
        assert tok.decode(tok.encode(s)) == s


def test_encoding_the_training_text_compresses_it_and_round_trips(tok, text):
    ids = tok.encode(text)
    assert tok.decode(ids) == text
    assert len(ids) < 0.6 * len(text.encode("utf-8"))
    assert BPETokenizer().encode(text) == list(text.encode("utf-8"))  # no merges: bytes


def test_special_tokens_are_one_id_wherever_they_appear(tok):
    ids = tok.encode(f"the{EOT}<pad>{EOT}king")
    assert ids == tok.encode("the") + [398, 399, 398] + tok.encode("king")
    assert tok.encode(EOT) == [398]
    # without special tokens the same string is plain text, many byte-level tokens
    assert len(BPETokenizer(tok.merges).encode(EOT)) > 1


def test_longer_special_token_wins_when_one_contains_another():
    tok = BPETokenizer((), ["<a>", "<a><b>"])
    assert tok.encode("<a><b><a>") == [257, 256]


def test_training_never_merges_across_special_tokens():
    tok = BPETokenizer.train(("ab" + EOT) * 50, 300, special_tokens=[EOT])
    learned = [tok.token_bytes(256 + r) for r in range(len(tok.merges))]
    assert learned == [b"ab"], learned  # "<|" etc. would be learned if EOT were trained on


def test_training_stops_when_the_text_runs_out_of_pairs():
    tok = BPETokenizer.train("abab", 1000, special_tokens=[EOT])
    assert tok.merges == [(97, 98), (256, 256)] and tok.special_tokens == {EOT: 258}
    assert tok.vocab_size == 259


def test_decode_of_ids_cut_mid_character_replaces_it(tok):
    ids = tok.encode("café")
    cut = list(b"caf\xc3")  # the first of the two bytes of "é"
    assert tok.decode(cut) == "caf\ufffd"
    assert tok.decode(ids) == "café"


def test_lone_surrogate_is_a_clear_error(tok):
    with pytest.raises(ValueError, match=r"U\+D800 at position 2 is a lone surrogate"):
        tok.encode("ab\ud800c")
    with pytest.raises(TypeError, match="expected a str, got bytes"):
        tok.encode(b"abc")


@pytest.mark.parametrize("ids, error, words", [
    ([0, 400], ValueError, r"id 400 at position 1 is not in the vocabulary \(ids 0 to 399\)"),
    ([-3], ValueError, "id -3 at position 0"),
    (["a"], TypeError, "1-D sequence of ints"),
])
def test_decode_rejects_bad_ids_clearly(tok, ids, error, words):
    with pytest.raises(error, match=words):
        tok.decode(ids)


@pytest.mark.parametrize("kwargs, words", [
    ({"vocab_size": 257, "special_tokens": ["<a>", "<b>"]}, "at least 258"),
    ({"vocab_size": 300.0}, "must be an int"),
    ({"vocab_size": 300, "special_tokens": ["x", "x"]}, "distinct non-empty strings"),
    ({"vocab_size": 300, "special_tokens": [""]}, "distinct non-empty strings"),
])
def test_train_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        BPETokenizer.train("some text", **kwargs)


def test_merges_must_refer_to_earlier_ids():
    with pytest.raises(ValueError, match=r"merge 1 must be a pair of ids below 257"):
        BPETokenizer([(1, 2), (1, 257)])
    with pytest.raises(ValueError, match="merged twice"):
        BPETokenizer([(1, 2), (1, 2)])


def test_encode_is_the_same_with_a_cold_a_warm_and_a_cleared_cache(tok, text, monkeypatch):
    fresh = BPETokenizer(tok.merges)
    cold = fresh.encode(text)
    assert fresh.encode(text) == cold and len(fresh._cache) > 0
    monkeypatch.setattr(bpe_module, "_CACHE_LIMIT", 3)
    small = BPETokenizer(tok.merges)
    assert small.encode(text) == cold and len(small._cache) < 50
    assert cold == [i for w in pretokenize(text) for i in encode_word(w.encode(), fresh.ranks)]


# --- save / load ---------------------------------------------------------------------------------
def test_save_and_load_round_trip(tok, tmp_path):
    path = tmp_path / "tok.json"
    tok.save(path)
    state = json.loads(path.read_text(encoding="utf-8"))
    assert state["format"] == "tinytorch.text.BPETokenizer" and state["version"] == 1
    assert state["special_tokens"] == [EOT, "<pad>"] and len(state["merges"]) == len(tok.merges)
    loaded = BPETokenizer.load(str(path))
    assert loaded.merges == tok.merges and loaded.special_tokens == tok.special_tokens
    s = f"Thy sweet love {EOT} naïve 😀"
    assert loaded.encode(s) == tok.encode(s)


@pytest.mark.parametrize("content, words", [
    ("{not json", "is not a JSON file"),
    ('["merges"]', "is not a saved BPETokenizer"),
    ('{"format": "other"}', "is not a saved BPETokenizer"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 2}', "has version 2; this tinytorch reads version 1"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 1, "pattern": "x"}', "another pre-tokenizer pattern"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 1, "PATTERN", "merges": {}}', "must be lists"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 1, "PATTERN", "merges": [[1, 300]]}',
     "merge 0 must be a pair of ids below 256"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 1, "PATTERN", "merges": [[1, 2, 3]]}',
     "merge 0 must be a pair"),
    ('{"format": "tinytorch.text.BPETokenizer", "version": 1, "PATTERN", "merges": [], '
     '"special_tokens": [5]}', "special_tokens must be distinct non-empty strings"),
])
def test_load_explains_what_is_wrong_with_a_bad_file(tmp_path, content, words):
    path = tmp_path / "bad.json"
    pattern = '"pattern": ' + json.dumps(bpe_module.WORD_PATTERN.pattern)
    path.write_text(content.replace('"PATTERN"', pattern), encoding="utf-8")
    with pytest.raises(ValueError, match=words) as info:
        BPETokenizer.load(path)
    assert str(path) in str(info.value)


# --- an established BPE as the oracle ------------------------------------------------------------
def test_compression_is_close_to_hugging_face_tokenizers_at_the_same_vocab_size(text):
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers, trainers
    held_out = prose(3000, seed=9)
    hf = tokenizers.Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.train_from_iterator([text], trainers.BpeTrainer(
        vocab_size=500, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    ours = BPETokenizer.train(text, 500)
    assert hf.get_vocab_size() == ours.vocab_size == 500
    for sample in (text, held_out):
        ratio = len(ours.encode(sample)) / len(hf.encode(sample).ids)
        assert 0.95 < ratio < 1.05, ratio
