"""Tiny Shakespeare: 1.1 MB of Shakespeare's plays in one text file, the corpus of module 10 and
the TinyGPT milestone (Karpathy's char-rnn, 2015)."""
from tinytorch.datasets.download import data_root, download_file, manual_download_help

TINY_SHAKESPEARE_URL = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
                        "tinyshakespeare/input.txt")
TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def load_tiny_shakespeare(root=None, download=True):
    """The Tiny Shakespeare text, a str of 1,115,394 characters.

    Args:
        root: folder that holds tinyshakespeare/input.txt (default: $TINYTORCH_DATA, else
            ~/.cache/tinytorch).
        download: fetch the file if it is missing, checking its sha256; with download=False a
            missing file raises RuntimeError saying where to put it. A file already in place is
            read as it is.
    """
    path = data_root(root) / "tinyshakespeare" / "input.txt"
    if not path.exists():
        if not download:
            raise RuntimeError(f"load_tiny_shakespeare: {path} does not exist and download=False. "
                               f"{manual_download_help([TINY_SHAKESPEARE_URL], path)}")
        download_file([TINY_SHAKESPEARE_URL], path, TINY_SHAKESPEARE_SHA256)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RuntimeError(f"load_tiny_shakespeare: {path} is not UTF-8 text ({e}); delete it and "
                           "load again to download a fresh copy") from None
