"""Encoded probe values (runner.py's `encode`), read in the grader: equality with the reference's
(`same`), rebuilding plain data (`decode`) and a short description for feedback (`short`).

Equal means: same type tag; numbers within rtol 1e-5 / atol 1e-6 (ints exactly); arrays with the
same dtype kind and shape and close values; containers item by item; other objects by class name.
"""
import math

import numpy as np

RTOL, ATOL = 1e-5, 1e-6
MAX_STR = 2_000  # runner.py cuts strings to this length


def _close(a, b):
    """a (student) is close to b (reference), like np.isclose(a, b, RTOL, ATOL, equal_nan=True)."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) \
            or isinstance(a, bool) or isinstance(b, bool):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= ATOL + RTOL * abs(b)


def _same_values(kind, a, b):
    if isinstance(b, dict):  # summary of a large array
        if not isinstance(a, dict) or a.get("n") != b.get("n"):
            return False
        n = b["n"]
        try:
            return (abs(a["sum"] - b["sum"]) <= ATOL * n + RTOL * b["abs"]
                    and all(_close(a[k], b[k]) for k in ("abs", "min", "max"))
                    and _same_values(kind, a["sample"], b["sample"]))
        except (KeyError, TypeError):
            return False
    if not isinstance(a, list) or len(a) != len(b):
        return False
    if kind in "fc":
        return all(_close(x, y) for x, y in zip(a, b))
    return a == b


def _kind(k):
    return "i" if k in ("i", "u") else k


def same(a, b):
    """Does the student's encoded value `a` equal the reference's `b` (see the module docstring)?"""
    if not isinstance(a, list) or not a or not isinstance(b, list) or not b:
        return False
    ta, tb = a[0], b[0]
    if ta in ("i", "f") and tb in ("i", "f"):
        if len(a) < 2:
            return False
        if ta == tb == "i":
            return a[1] == b[1] and type(a[1]) is int
        return _close(a[1], b[1])
    if ta != tb or len(a) != len(b):
        return False
    if tb == "b":
        return a[1] is b[1]
    if tb == "e":  # an exception: of the reference's type or a subclass of it (as `except` matches)
        return isinstance(a[2], list) and b[1] in a[2]
    if tb == "c":
        return _close(a[1], b[1]) and _close(a[2], b[2])
    if tb in ("t", "l", "d"):
        if a[1] != b[1] or not isinstance(a[2], list) or len(a[2]) != len(b[2]):
            return False
        if tb == "d":
            return all(isinstance(x, list) and len(x) == 2 and same(x[0], y[0]) and same(x[1], y[1])
                       for x, y in zip(a[2], b[2]))
        return all(same(x, y) for x, y in zip(a[2], b[2]))
    if tb in ("a", "T"):
        head = 2 if tb == "T" else 1
        if a[:head] != b[:head]:
            return False
        (ka, sa, va), (kb, sb, vb) = a[head:head + 3], b[head:head + 3]
        if not isinstance(ka, str) or _kind(ka) != _kind(kb) or sa != sb:
            return False
        return (vb is None and va is None) or (vb is not None and _same_values(kb, va, vb))
    return a == b


class Undecodable(Exception):
    pass


def decode(e):
    """Rebuild plain data (numbers, strings, containers, arrays) from an encoded value."""
    try:
        tag = e[0]
        if tag == "none":
            return None
        if tag == "b":
            return bool(e[1])
        if tag in ("i", "f"):
            value = int(e[1]) if tag == "i" else float(e[1])
            return np.dtype(e[2]).type(value) if len(e) > 2 else value
        if tag == "c":
            return complex(e[1], e[2])
        if tag == "s":
            return str(e[1])
        if tag == "y":
            return bytes.fromhex(e[1])
        if tag == "dt":
            return np.dtype(e[1])
        if tag in ("t", "l"):
            if e[1] != len(e[2]):
                raise Undecodable
            items = [decode(x) for x in e[2]]
            return tuple(items) if tag == "t" else items
        if tag == "d":
            if e[1] != len(e[2]):
                raise Undecodable
            return {_hashable(decode(k)): decode(v) for k, v in e[2]}
        if tag in ("a", "T"):
            kind, shape, values, dtype = e[-4:]
            if not isinstance(values, list):
                raise Undecodable
            if kind == "c":
                values = [complex(r, i) for r, i in zip(values[0::2], values[1::2])]
            return np.array(values, dtype=np.dtype(dtype)).reshape(shape)
    except Undecodable:
        raise
    except Exception:
        raise Undecodable from None
    raise Undecodable


def _hashable(x):
    if isinstance(x, (list, dict, np.ndarray)):
        raise Undecodable
    return x


def short(encoded, limit=120):
    """A readable, short description of an encoded value (for public feedback only)."""
    if isinstance(encoded, dict):
        parts = encoded.get("o") or encoded.get("a") or []
        return ", ".join(short(p, 60) for p in parts)[:limit]
    tag = encoded[0] if isinstance(encoded, list) and encoded else "?"
    if tag in ("i", "f", "b", "s"):
        text = repr(encoded[1])
    elif tag == "none":
        text = "None"
    elif tag in ("a", "T"):
        head = f"{encoded[1]} " if tag == "T" else "array "
        k, shape, values, dtype = encoded[-4:]
        shown = values if isinstance(values, list) else "…"
        text = f"{head}{dtype} shape {tuple(shape)} {shown}"
    elif tag in ("t", "l"):
        text = f"{'tuple' if tag == 't' else 'list'} of {encoded[1]}"
    elif tag == "o":
        text = f"a {encoded[1]} object"
    else:
        text = str(encoded[1:])
    return text if len(text) <= limit else text[:limit - 1] + "…"
