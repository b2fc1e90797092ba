"""tinytorch.text: tokenizers (module 10): characters, and byte-level BPE."""
from tinytorch.text.tokenizers import CharTokenizer, pretokenize
from tinytorch.text.bpe import BPETokenizer
