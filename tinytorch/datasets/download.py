# Generated from notebooks/masters/05_dataloader.ipynb by tinytorch.export: edit the notebook, not this file.
import gzip
import hashlib
import http.client
import os
import sys
import zlib
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen


CHUNK_BYTES = 1 << 20
TIMEOUT_SECONDS = 60


class DownloadError(RuntimeError):
    """A dataset file could not be fetched; the message says how to get it by hand."""


def data_root(root=None):
    """The dataset cache: `root` if given, else $TINYTORCH_DATA, else
    ~/.cache/tinytorch."""
    if root is None:
        root = os.environ.get("TINYTORCH_DATA") or Path.home() / ".cache" / "tinytorch"
    return Path(root).expanduser()


def file_digest(path, algorithm="sha256", gunzip=False):
    """Hex digest of a file's bytes, or of its decompressed content when gunzip is
    True."""
    digest = hashlib.new(algorithm, usedforsecurity=False)
    with (gzip.open if gunzip else open)(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def manual_download_help(urls, path):
    """How to put the file `path` in place by hand: where to get it, where to save
    it."""
    mirrors = "".join(f"\n    {url}" for url in urls[1:])
    if mirrors:
        mirrors = f"(or the same file from one of these mirrors:{mirrors})\n"
    return (f"To get it by hand, download\n    {urls[0]}\n"
            + mirrors
            + f"and save it as\n    {path}\n"
            "To keep datasets in another folder, set the environment variable "
            "TINYTORCH_DATA or pass root=... .")


def _fetch(url, part):
    """Write the content at `url` into the file `part`, after the bytes already there if
    the server can send just the rest (HTTP Range); otherwise from the start."""
    start = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "tinytorch"}
    if start:
        headers["Range"] = f"bytes={start}-"
    try:
        response = urlopen(Request(url, headers=headers), timeout=TIMEOUT_SECONDS)
    except HTTPError as e:
        # "range not satisfiable": nothing is missing after `start`
        if e.code == 416 and start:
            return
        raise
    with response:
        resume = start > 0 and getattr(response, "status", None) == 206
        content_range = response.headers.get("Content-Range") or ""
        if resume and not content_range.startswith(f"bytes {start}-"):
            raise OSError(f"asked for the bytes from {start} on, the server sent "
                          f"{content_range!r}")
        with open(part, "ab" if resume else "wb") as f:
            while chunk := response.read(CHUNK_BYTES):
                f.write(chunk)


def _matches(path, digest, algorithm, gunzip):
    try:
        return file_digest(path, algorithm, gunzip) == digest
    except (OSError, EOFError, zlib.error):  # e.g. a truncated or corrupt gzip stream
        return False


def download_file(urls, path, digest, algorithm="sha256", gunzip=False):
    """Fetch `path` from the first of `urls` whose content has the right digest; return
    the path.

    Bytes go to `path.part`, resumed (HTTP Range) if an earlier attempt broke off; only
    content whose digest (of the decompressed bytes if gunzip) equals `digest` is moved
    to `path`, with os.replace, so the cache never holds a partial or wrong file. An
    existing `path` is returned as it is. Raises DownloadError, with instructions, when
    every URL fails, and at once in the browser (Pyodide), which cannot open network
    connections.
    """
    path, urls = Path(path), list(urls)
    if path.exists():
        return path
    if (sys.platform == "emscripten"
        and not all(url.startswith("file:") for url in urls)):
        raise DownloadError(f"cannot download {path.name}: Python in the browser "
                            "(Pyodide, JupyterLite) cannot open network connections. "
                            "Download the file on your own machine and upload it. "
                            f"{manual_download_help(urls, path)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    failures = []
    for url in urls:
        for _ in range(2):  # a resumed file that fails the check gets one fresh try
            resumed = part.exists() and part.stat().st_size > 0
            print(f"Downloading {url}" + (f" (resuming after {part.stat().st_size:,} "
                                          "bytes)" if resumed else ""))
            try:
                _fetch(url, part)
            except (OSError, ValueError, http.client.HTTPException) as e:
                failures.append(f"{url}: {e}")
                break  # keep the .part file: the next URL or the next run resumes it
            if _matches(part, digest, algorithm, gunzip):
                os.replace(part, path)
                print(f"Saved {path} ({path.stat().st_size:,} bytes, {algorithm} "
                      "checked)")
                return path
            part.unlink()
            if not resumed:
                failures.append(f"{url}: the content's {algorithm} is not the expected "
                                f"{digest}")
                break
    raise DownloadError(
        f"could not download {path.name}:\n  " + "\n  ".join(failures) + "\n"
                        + manual_download_help(urls, path))
