"""tinytorch.datasets.load_tiny_shakespeare: cache, checksum, download=False and the offline error.

The text is generated here; nothing touches the network or ../shared (the FakeServer of
test_datasets stands in for urllib's urlopen)."""
import hashlib
from urllib.error import URLError

import pytest

from tests.unit.data.test_datasets import FakeServer, no_network
from tinytorch.datasets import DownloadError, load_tiny_shakespeare
from tinytorch.datasets import download as download_module
from tinytorch.datasets import shakespeare
from tinytorch.datasets.shakespeare import TINY_SHAKESPEARE_URL

PLAY = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n" * 20


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setattr(download_module, "urlopen", no_network)
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)


def test_reads_a_local_root_without_the_network(tmp_path):
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text(PLAY, encoding="utf-8")
    assert load_tiny_shakespeare(root=tmp_path, download=False) == PLAY
    assert load_tiny_shakespeare(root=tmp_path) == PLAY  # present: no download either


def test_the_cache_folder_comes_from_tinytorch_data(tmp_path, monkeypatch):
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_text(PLAY, encoding="utf-8")
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path))
    assert load_tiny_shakespeare(download=False) == PLAY


def test_missing_file_with_download_false_says_where_to_put_it(tmp_path):
    with pytest.raises(RuntimeError) as info:
        load_tiny_shakespeare(root=tmp_path, download=False)
    message = str(info.value)
    assert "download=False" in message and TINY_SHAKESPEARE_URL in message
    assert str(tmp_path / "tinyshakespeare" / "input.txt") in message


def test_downloads_once_checks_the_sha256_and_caches(tmp_path, monkeypatch):
    server = FakeServer({TINY_SHAKESPEARE_URL: PLAY.encode()})
    monkeypatch.setattr(download_module, "urlopen", server.urlopen)
    monkeypatch.setattr(shakespeare, "TINY_SHAKESPEARE_SHA256", hashlib.sha256(PLAY.encode()).hexdigest())
    assert load_tiny_shakespeare(root=tmp_path) == PLAY
    assert load_tiny_shakespeare(root=tmp_path) == PLAY
    assert [url for url, _ in server.requests] == [TINY_SHAKESPEARE_URL]
    assert (tmp_path / "tinyshakespeare" / "input.txt").read_text(encoding="utf-8") == PLAY


def test_wrong_content_is_rejected_and_not_cached(tmp_path, monkeypatch):
    server = FakeServer({TINY_SHAKESPEARE_URL: b"not the plays"})
    monkeypatch.setattr(download_module, "urlopen", server.urlopen)
    with pytest.raises(DownloadError, match="sha256"):
        load_tiny_shakespeare(root=tmp_path)
    assert not (tmp_path / "tinyshakespeare" / "input.txt").exists()


def test_offline_error_names_the_url_and_the_path(tmp_path, monkeypatch):
    def unreachable(request, timeout=None):
        raise URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(download_module, "urlopen", unreachable)
    with pytest.raises(DownloadError) as info:
        load_tiny_shakespeare(root=tmp_path)
    message = str(info.value)
    assert "name resolution" in message and TINY_SHAKESPEARE_URL in message
    assert str(tmp_path / "tinyshakespeare" / "input.txt") in message


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path):
    (tmp_path / "tinyshakespeare").mkdir()
    (tmp_path / "tinyshakespeare" / "input.txt").write_bytes(b"\xff\xfe broken")
    with pytest.raises(RuntimeError, match="is not UTF-8 text"):
        load_tiny_shakespeare(root=tmp_path, download=False)
