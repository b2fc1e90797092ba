"""tinytorch.datasets: IDX parsing, the download cache, MNIST and CIFAR-10.

Nothing here touches the network: the tests write small files in the real formats and serve them
through an in-process stand-in for urllib's urlopen (FakeServer), which honours HTTP Range
requests and can break a transfer halfway.
"""
import gzip
import hashlib
import io
import os
import pickle
import sys
import tarfile
import urllib.request
from urllib.error import HTTPError, URLError

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor
from tinytorch.data import DataLoader, default_collate
from tinytorch.data.transforms import Compose, Normalize, RandomCrop, RandomHorizontalFlip
from tinytorch.datasets import CIFAR10, MNIST, DownloadError, data_root, download_file, read_idx
from tinytorch.datasets import download as download_module
from tinytorch.datasets.download import file_digest

IDX_CODES = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(array, dtype="u1"):
    dtype = np.dtype(dtype)
    header = bytes([0, 0, IDX_CODES[dtype], array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --- a fake web server -----------------------------------------------------------------------------
class FakeResponse:
    def __init__(self, body, status, headers, cut=None):
        self.body, self.status, self.headers, self.cut, self.position = body, status, headers, cut, 0

    def read(self, n=-1):
        end = len(self.body) if n is None or n < 0 else self.position + n
        if self.cut is not None:
            if self.position >= self.cut:
                raise ConnectionResetError("connection reset by peer (fake)")
            end = min(end, self.cut)
        chunk, self.position = self.body[self.position:end], min(end, len(self.body))
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeServer:
    """Serves `files` ({url: bytes}); `ranges=False` ignores Range headers; `cuts[url] = k` breaks
    the next transfer of url after k bytes. Records every request as (url, Range header)."""

    def __init__(self, files=(), ranges=True):
        self.files, self.ranges, self.cuts, self.requests = dict(files), ranges, {}, []

    def urlopen(self, request, timeout=None):
        url, wanted = request.full_url, request.get_header("Range")
        self.requests.append((url, wanted))
        if url not in self.files:
            raise HTTPError(url, 404, "Not Found", {}, None)
        body, status, headers = self.files[url], 200, {}
        if wanted and self.ranges:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            if start >= len(body):
                raise HTTPError(url, 416, "Range Not Satisfiable", {}, None)
            headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
            body, status = body[start:], 206
        return FakeResponse(body, status, headers, self.cuts.pop(url, None))


def no_network(request, timeout=None):
    raise AssertionError(f"a test tried to use the network: {request.full_url}")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Every test runs with the network replaced; a test that needs a server installs FakeServer."""
    monkeypatch.setattr(download_module, "urlopen", no_network)
    monkeypatch.delenv("TINYTORCH_DATA", raising=False)


@pytest.fixture
def server(monkeypatch):
    fake = FakeServer()
    monkeypatch.setattr(download_module, "urlopen", fake.urlopen)
    return fake


# --- IDX -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", list(IDX_CODES))
def test_read_idx_round_trips_every_type(dtype):
    values = (np.arange(2 * 3 * 4) - 5).reshape(2, 3, 4) * (3 if dtype.kind == "f" else 1)
    if dtype.kind == "u":
        values = values % 256
    out = read_idx(idx_bytes(values, dtype))
    assert out.shape == (2, 3, 4) and out.dtype == dtype.newbyteorder("=") and out.dtype.isnative
    assert np.array_equal(out, values.astype(dtype)) and out.flags.writeable


def test_read_idx_reads_big_endian_sizes_and_scalars():
    assert read_idx(bytes([0, 0, 8, 1, 0, 0, 1, 0]) + bytes(range(256))).tolist() == list(range(256))
    assert read_idx(bytes([0, 0, 8, 0, 42])).shape == ()


@pytest.mark.parametrize("data, message", [
    (b"", "not an IDX file"), (bytes([1, 0, 8, 1, 0, 0, 0, 1, 5]), "not an IDX file"),
    (bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 5]), r"type code.*(0a|\b10\b)"),
    (bytes([0, 0, 8, 2, 0, 0, 0, 1]), "header"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]), r"\(3,\).*\b11 bytes.*\b10\b"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), r"\b9 bytes.*\b10\b"),
])
def test_read_idx_rejects_malformed_data(data, message):
    with pytest.raises(ValueError, match=message):
        read_idx(data)


# --- the cache and download_file -------------------------------------------------------------------
def test_data_root_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_root() == tmp_path / "home" / ".cache" / "tinytorch"
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path / "env"))
    assert data_root() == tmp_path / "env"
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root("~/x") == tmp_path / "home" / "x"


def test_file_digest_of_the_decompressed_content(tmp_path):
    content = b"the same content" * 100
    a, b = tmp_path / "a.gz", tmp_path / "b.gz"
    a.write_bytes(gzip.compress(content, mtime=0))
    b.write_bytes(gzip.compress(content, mtime=12345))
    assert file_digest(a) != file_digest(b), "the gzip headers differ"
    assert file_digest(a, gunzip=True) == file_digest(b, gunzip=True) == sha256(content)
    assert file_digest(a, "md5") == hashlib.md5(a.read_bytes()).hexdigest()


def test_download_publishes_only_a_verified_file(server, tmp_path):
    content = os.urandom(5000)
    server.files["https://a.test/f.bin"] = content
    dest = tmp_path / "cache" / "f.bin"
    assert download_file(["https://a.test/f.bin"], dest, sha256(content)) == dest
    assert dest.read_bytes() == content and not (tmp_path / "cache" / "f.bin.part").exists()
    download_file(["https://a.test/f.bin"], dest, sha256(content))
    assert len(server.requests) == 1, "an existing file is used as it is"


def test_a_wrong_checksum_leaves_the_cache_clean(server, tmp_path):
    server.files["https://a.test/f.bin"] = b"wrong content"
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError) as error:
        download_file(["https://a.test/f.bin"], dest, sha256(b"right content"))
    assert not dest.exists() and not (tmp_path / "f.bin.part").exists()
    message = str(error.value)
    assert "https://a.test/f.bin" in message and "sha256" in message and str(dest) in message and "TINYTORCH_DATA" in message


def test_a_broken_transfer_resumes_with_a_range_request(server, tmp_path):
    content = os.urandom(10_000)
    url = "https://a.test/big.bin"
    server.files[url] = content
    server.cuts[url] = 3000
    dest, part = tmp_path / "big.bin", tmp_path / "big.bin.part"
    with pytest.raises(DownloadError, match="connection reset"):
        download_file([url], dest, sha256(content))
    assert not dest.exists() and part.read_bytes() == content[:3000], "the partial bytes stay in .part, not in the cache"
    download_file([url], dest, sha256(content))
    assert server.requests[-1] == (url, "bytes=3000-")
    assert dest.read_bytes() == content and not part.exists()


def test_a_server_that_ignores_ranges_sends_the_whole_file_again(monkeypatch, tmp_path):
    content = os.urandom(2000)
    fake = FakeServer({"https://a.test/f": content}, ranges=False)
    monkeypatch.setattr(download_module, "urlopen", fake.urlopen)
    (tmp_path / "f.part").write_bytes(content[:700])
    download_file(["https://a.test/f"], tmp_path / "f", sha256(content))
    assert (tmp_path / "f").read_bytes() == content and fake.requests == [("https://a.test/f", "bytes=700-")]


def test_a_resumed_file_that_fails_the_check_is_downloaded_afresh(server, tmp_path):
    content = b"".join(b"line %d of a compressible file\n" % i for i in range(2000))
    other_mirror = gzip.compress(content, compresslevel=1, mtime=1)
    this_mirror = gzip.compress(content, compresslevel=9, mtime=2)
    assert other_mirror[100:1000] != this_mirror[100:1000], "the two mirrors' files differ beyond the header"
    (tmp_path / "f.gz.part").write_bytes(other_mirror[:1000])  # half a transfer from another mirror
    server.files["https://b.test/f.gz"] = this_mirror
    download_file(["https://b.test/f.gz"], tmp_path / "f.gz", sha256(content), gunzip=True)
    assert server.requests == [("https://b.test/f.gz", "bytes=1000-"), ("https://b.test/f.gz", None)]
    assert (tmp_path / "f.gz").read_bytes() == this_mirror


def test_a_complete_part_file_is_verified_when_the_server_has_nothing_more(server, tmp_path):
    content = os.urandom(1000)
    server.files["https://a.test/f"] = content
    (tmp_path / "f.part").write_bytes(content)
    download_file(["https://a.test/f"], tmp_path / "f", sha256(content))
    assert (tmp_path / "f").read_bytes() == content and server.requests == [("https://a.test/f", "bytes=1000-")]


def test_mirrors_are_tried_in_order(server, tmp_path):
    content = b"payload" * 50
    server.files["https://bad.test/f"] = b"not the payload"
    server.files["https://good.test/f"] = content
    urls = ["https://missing.test/f", "https://bad.test/f", "https://good.test/f"]
    download_file(urls, tmp_path / "f", sha256(content))
    assert [url for url, _ in server.requests] == urls and (tmp_path / "f").read_bytes() == content


def test_offline_error_says_what_to_download_and_where(monkeypatch, tmp_path):
    def offline_urlopen(request, timeout=None):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(download_module, "urlopen", offline_urlopen)
    dest = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    urls = ["https://a.test/train-images-idx3-ubyte.gz", "https://b.test/train-images-idx3-ubyte.gz"]
    with pytest.raises(DownloadError) as error:
        download_file(urls, dest, "0" * 64, gunzip=True)
    message = str(error.value)
    assert "name resolution" in message and all(url in message for url in urls)
    assert f"save it as\n    {dest}" in message and "TINYTORCH_DATA" in message
    assert not dest.exists()


def test_the_browser_cannot_download_but_can_copy_local_files(monkeypatch, server, tmp_path):
    monkeypatch.setattr(sys, "platform", "emscripten")
    with pytest.raises(DownloadError, match="browser"):
        download_file(["https://a.test/f"], tmp_path / "f", "0" * 64)
    assert server.requests == []
    source = tmp_path / "source.bin"
    source.write_bytes(b"local bytes")
    monkeypatch.setattr(download_module, "urlopen", urllib.request.urlopen)  # file:// needs no network
    download_file([source.as_uri()], tmp_path / "copy.bin", sha256(b"local bytes"))
    assert (tmp_path / "copy.bin").read_bytes() == b"local bytes"


# --- MNIST -----------------------------------------------------------------------------------------
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


@pytest.fixture
def mnist_arrays():
    rng = np.random.default_rng(0)
    return {"train": (rng.integers(0, 256, (12, 28, 28), dtype=np.uint8), rng.integers(0, 10, 12, dtype=np.uint8)),
            "t10k": (rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), rng.integers(0, 10, 5, dtype=np.uint8))}


def mnist_contents(arrays):
    """{file name: decompressed IDX bytes}."""
    return {f"{split}-{kind}-ubyte.gz": idx_bytes(array)
            for split, (images, labels) in arrays.items()
            for kind, array in (("images-idx3", images), ("labels-idx1", labels))}


def place_mnist(folder, arrays, compress=True):
    (folder / "mnist").mkdir(parents=True, exist_ok=True)
    for name, content in mnist_contents(arrays).items():
        if compress:
            (folder / "mnist" / name).write_bytes(gzip.compress(content))
        else:
            (folder / "mnist" / name.removesuffix(".gz")).write_bytes(content)


def test_mnist_downloads_verifies_and_loads(monkeypatch, server, tmp_path, mnist_arrays):
    contents = mnist_contents(mnist_arrays)
    monkeypatch.setattr(MNIST, "mirrors", ["https://down.test/", "https://up.test/mnist/"])
    monkeypatch.setattr(MNIST, "resources", {name: sha256(content) for name, content in contents.items()})
    for name, content in contents.items():
        server.files[f"https://up.test/mnist/{name}"] = gzip.compress(content, mtime=7)
    train = MNIST(root=tmp_path)
    images, labels = mnist_arrays["train"]
    assert train.data.dtype == np.uint8 and np.array_equal(train.data, images)
    assert train.targets.dtype == np.int64 and np.array_equal(train.targets, labels)
    assert len(train) == 12 and sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(MNIST_FILES[:2])
    image, label = train[3]
    assert isinstance(image, Tensor) and image.shape == (1, 28, 28) and image.dtype == np.float32
    assert np.array_equal(image.data[0], images[3].astype(np.float32) / np.float32(255)) and label == int(labels[3])
    assert type(label) is int and train.classes[0] == "0 - zero"
    assert "Number of datapoints: 12" in repr(train) and "Split: Train" in repr(train)
    test = MNIST(root=tmp_path, train=False)
    assert len(test) == 5 and "Split: Test" in repr(test)
    requests = len(server.requests)
    MNIST(root=tmp_path)
    assert len(server.requests) == requests, "a second load uses the cache"


def test_mnist_uses_the_environment_variable(monkeypatch, tmp_path, mnist_arrays):
    place_mnist(tmp_path / "data", mnist_arrays)
    monkeypatch.setenv("TINYTORCH_DATA", str(tmp_path / "data"))
    assert len(MNIST(train=False)) == 5 and MNIST().root == tmp_path / "data"


def test_mnist_reads_uncompressed_files(tmp_path, mnist_arrays):
    place_mnist(tmp_path, mnist_arrays, compress=False)
    assert np.array_equal(MNIST(root=tmp_path, download=False).data, mnist_arrays["train"][0])


def test_mnist_missing_files_without_download(tmp_path):
    with pytest.raises(RuntimeError) as error:
        MNIST(root=tmp_path, download=False)
    message = str(error.value)
    assert "download=False" in message and str(tmp_path / "mnist" / "train-images-idx3-ubyte.gz") in message
    assert MNIST.mirrors[0] + "train-images-idx3-ubyte.gz" in message


def test_mnist_damaged_or_mismatched_files(tmp_path, mnist_arrays):
    place_mnist(tmp_path, mnist_arrays)
    images = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:100])
    with pytest.raises(RuntimeError, match="cannot read .*train-images.*delete it"):
        MNIST(root=tmp_path, download=False)
    images.write_bytes(gzip.compress(idx_bytes(np.zeros((7, 28, 28), np.uint8))))
    with pytest.raises(RuntimeError, match=r"\(7, 28, 28\) and labels \(12,\).*do not fit"):
        MNIST(root=tmp_path, download=False)


def assert_same_batch(a, b):
    assert type(a) is type(b) is list and len(a) == len(b) == 2
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x.data, y.data)


@pytest.mark.parametrize("transform, target_transform", [
    (None, None),
    (Compose([RandomHorizontalFlip(p=1.0), Normalize((0.1307,), (0.3081,))]), None),
    (RandomCrop(28, padding=0), None),
    (lambda image: image * 2, None),  # not batched: get_batch falls back to one call per image
    (None, lambda label: label + 100),
])
def test_mnist_get_batch_equals_collating_its_samples(tmp_path, mnist_arrays, transform, target_transform):
    place_mnist(tmp_path, mnist_arrays)
    ds = MNIST(root=tmp_path, transform=transform, target_transform=target_transform, download=False)
    indices = np.array([7, 0, 7, 11])
    assert_same_batch(ds.get_batch(indices), default_collate([ds[i] for i in indices.tolist()]))
    assert ds.get_batch(indices)[0].shape == (4, 1, 28, 28)


def test_loader_over_mnist_fast_and_general_paths_agree(tmp_path, mnist_arrays):
    place_mnist(tmp_path, mnist_arrays)
    ds = MNIST(root=tmp_path, download=False)
    fast = list(DataLoader(ds, batch_size=5, shuffle=True, generator=3))
    general = list(DataLoader(ds, batch_size=5, shuffle=True, generator=3, collate_fn=default_collate))
    assert len(fast) == len(general) == 3
    for a, b in zip(fast, general):
        assert_same_batch(a, b)
    assert sorted(v for _, y in fast for v in y.tolist()) == sorted(mnist_arrays["train"][1].tolist())


def test_mnist_on_sklearn_digits(tmp_path):
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    images = (digits.images * 255 / 16).round().astype(np.uint8)
    arrays = {"train": (images, digits.target.astype(np.uint8)), "t10k": (images[:10], digits.target[:10].astype(np.uint8))}
    place_mnist(tmp_path, arrays)
    ds = MNIST(root=tmp_path, download=False)
    seen = np.concatenate([y.data for _, y in DataLoader(ds, batch_size=128, shuffle=True, generator=0)])
    assert len(ds) == 1797 and np.array_equal(np.sort(seen), np.sort(digits.target))
    assert ds[0][0].shape == (1, 8, 8)


# --- CIFAR-10 --------------------------------------------------------------------------------------
def cifar_batch(rows, labels, str_keys=False):
    keys = ("data", "labels") if str_keys else (b"data", b"labels")
    return pickle.dumps({keys[0]: rows, keys[1]: labels.tolist(), b"batch_label": b"test"}, protocol=2)


def make_cifar(n=4, seed=0):
    """{file name: (rows uint8 (n, 3072), labels)} for the six batch files."""
    rng = np.random.default_rng(seed)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {name: (rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 10, n)) for name in names}


def cifar_archive(batches, drop=()):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, (rows, labels) in batches.items():
            if name in drop:
                continue
            payload = cifar_batch(rows, labels)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


@pytest.fixture
def cifar_server(monkeypatch, server):
    batches = make_cifar()
    archive = cifar_archive(batches)
    monkeypatch.setattr(CIFAR10, "url", "https://cifar.test/cifar-10-python.tar.gz")
    monkeypatch.setattr(CIFAR10, "md5", hashlib.md5(archive).hexdigest())
    server.files[CIFAR10.url] = archive
    return server, batches


def test_cifar_downloads_checks_extracts_and_loads(tmp_path, cifar_server):
    server, batches = cifar_server
    train = CIFAR10(root=tmp_path)
    rows = np.concatenate([batches[f"data_batch_{i}"][0] for i in range(1, 6)])
    labels = np.concatenate([batches[f"data_batch_{i}"][1] for i in range(1, 6)])
    assert train.data.shape == (20, 32, 32, 3) and train.data.dtype == np.uint8
    assert np.array_equal(train.data, rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.targets.dtype == np.int64 and np.array_equal(train.targets, labels)
    image, label = train[6]
    assert image.shape == (3, 32, 32) and image.dtype == np.float32 and label == labels[6]
    assert np.array_equal(np.round(image.data * 255).astype(np.uint8).reshape(3, -1), rows[6].reshape(3, 1024)), \
        "channel c of an image is the c-th plane of its stored row (red, green, blue)"
    folder = tmp_path / "cifar10"
    assert sorted(p.name for p in (folder / "cifar-10-batches-py").iterdir()) == sorted(CIFAR10.train_list)
    assert not list(folder.rglob("*.part"))
    test = CIFAR10(root=tmp_path, train=False)
    assert len(test) == 4 and len(server.requests) == 1, "the archive is downloaded once"
    assert train.classes[3] == "cat" and "Number of datapoints: 20" in repr(train)


def test_cifar_md5_mismatch_keeps_nothing(monkeypatch, tmp_path, cifar_server):
    monkeypatch.setattr(CIFAR10, "md5", "0" * 32)
    with pytest.raises(DownloadError, match="md5"):
        CIFAR10(root=tmp_path)
    assert not list((tmp_path / "cifar10").iterdir())


def test_cifar_reads_an_extracted_folder_with_either_key_type(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rows, labels = make_cifar()["test_batch"]
    (folder / "test_batch").write_bytes(cifar_batch(rows, labels, str_keys=True))
    test = CIFAR10(root=tmp_path, train=False, download=False)
    assert np.array_equal(test.targets, labels) and test[0][0].shape == (3, 32, 32)
    assert_same_batch(test.get_batch(np.array([3, 1])), default_collate([test[3], test[1]]))


def test_cifar_refuses_pickles_that_would_run_code(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    (folder / "test_batch").write_bytes(pickle.dumps({b"data": Payload(), b"labels": [0]}))
    with pytest.raises(RuntimeError, match="refusing to load builtins.print"):
        CIFAR10(root=tmp_path, train=False, download=False)


def test_cifar_bad_batch_content(tmp_path):
    folder = tmp_path / "cifar10" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    (folder / "test_batch").write_bytes(cifar_batch(np.zeros((2, 100), np.uint8), np.zeros(2, np.int64)))
    with pytest.raises(RuntimeError, match=r"uint8 \(n, 3072\).*\(2, 100\)"):
        CIFAR10(root=tmp_path, train=False, download=False)


def test_cifar_damaged_or_incomplete_archive(tmp_path):
    folder = tmp_path / "cifar10"
    folder.mkdir()
    batches = make_cifar()
    (folder / CIFAR10.filename).write_bytes(cifar_archive(batches)[:200])
    with pytest.raises(RuntimeError, match="cannot read .*cifar-10-python.tar.gz.*delete it"):
        CIFAR10(root=tmp_path, download=False)
    (folder / CIFAR10.filename).write_bytes(cifar_archive(batches, drop=("data_batch_3",)))
    with pytest.raises(RuntimeError, match=r"lacks \['cifar-10-batches-py/data_batch_3'\]"):
        CIFAR10(root=tmp_path, download=False)


def test_cifar_missing_without_download(tmp_path):
    with pytest.raises(RuntimeError) as error:
        CIFAR10(root=tmp_path, download=False)
    message = str(error.value)
    assert "cifar-10-batches-py" in message and "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz" in message
    assert str(tmp_path / "cifar10" / "cifar-10-python.tar.gz") in message


# --- digits (scikit-learn's file, read without importing scikit-learn) -----------------------------
def test_load_digits_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets").load_digits()
    from tinytorch.datasets import load_digits
    images, labels = load_digits()
    assert images.dtype == np.float32 and images.shape == (1797, 64)
    assert labels.dtype == np.int64 and labels.shape == (1797,)
    assert np.array_equal(images, sk.data) and np.array_equal(labels, sk.target)


def test_load_digits_without_scikit_learn_names_the_fix(monkeypatch):
    import importlib.util
    from tinytorch.datasets import load_digits
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ModuleNotFoundError, match="pip install scikit-learn"):
        load_digits()
