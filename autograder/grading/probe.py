"""Probes: what a test case's asserts read, recorded in the child, judged in the grader.

Test cases are rewritten (`instrument`) so that the child reports the values the asserts look
at (runner.py encodes them as JSON data). A case passes only if it ran without error
in the student's process AND every probe agrees with the reference run (`agrees`), so "passed"
cannot be forged by patching the grader's functions inside the student's process: agreement
needs the right values, which a submission can only get by computing them.

What is recorded, per site, in evaluation order:
  compare  each comparison `a == b`, `"shape" in error`, `x is y`, `a < b < c`: its operand
           values and results. Judged by *recomputing* the comparison here on the student's
           operand values (so a message that differs from the reference's but contains the
           word passes, as it does in the notebook), and at least one operand must equal the
           reference's (an anchor: a constant or a value the test computed itself). Identity
           (`is`) between objects, and operands that cannot be rebuilt here, use the child's
           result and need both operands equal to the reference's.
  call     `np.allclose`, `np.isclose`, `np.array_equal`, `np.array_equiv`: arguments and
           result; recomputed here the same way, with the same anchor rule.
  shallow  `isinstance`, `issubclass`, `hasattr`, `callable`, `type`, `len`, `id`, `getattr`:
           the result and the class names of the arguments must equal the reference's.
  value    any other outermost value the assert reads: a name, attribute, subscript or call
           (`t.requires_grad`, `f(x)` and the arguments of `f`); must equal the reference's.
  check    the truth of each assert.
  except   the exception each `except` clause of the test code caught (its type, or a subclass).
Equal means: same type tag; numbers within rtol 1e-5 / atol 1e-6 (ints exactly); arrays with
the same dtype kind and shape and close values; containers item by item; other objects by
class name.
"""
import ast
import math
import operator

import numpy as np

RTOL, ATOL = 1e-5, 1e-6
PROBE, CHECK, COMPARE, CALL, SHALLOW_FN = "__tt_probe__", "__tt_check__", "__tt_cmp__", "__tt_call__", "__tt_shallow__"
SHALLOW = {"isinstance", "issubclass", "hasattr", "callable", "type", "len", "id", "getattr"}
PREDICATES = {"allclose", "isclose", "array_equal", "array_equiv"}
NUMPY_NAMES = {"np", "numpy"}
VALUE_NODES = (ast.Name, ast.Attribute, ast.Subscript, ast.Call)
OPS = {"Eq": operator.eq, "NotEq": operator.ne, "Lt": operator.lt, "LtE": operator.le, "Gt": operator.gt,
       "GtE": operator.ge, "Is": operator.is_, "IsNot": operator.is_not,
       "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b}


def _lambda(body):
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                         kwarg=None, defaults=[]), body=body)


def _is_predicate(node):
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr in PREDICATES and isinstance(f.value, ast.Name)
            and f.value.id in NUMPY_NAMES and not any(isinstance(a, ast.Starred) for a in node.args)
            and all(kw.arg for kw in node.keywords))


class _Instrument(ast.NodeTransformer):
    def __init__(self):
        self.sites = []  # site id -> {"kind", "text", ...}

    def site(self, kind, node_or_text, **extra):
        text = node_or_text if isinstance(node_or_text, str) else ast.unparse(node_or_text)
        self.sites.append(dict(kind=kind, text=text, **extra))
        return len(self.sites) - 1

    @staticmethod
    def _call(fn, args, keywords=()):
        return ast.Call(func=ast.Name(fn, ast.Load()), args=list(args), keywords=list(keywords))

    def operand(self, node):
        """An expression whose value is used."""
        if isinstance(node, ast.Call) and _is_predicate(node):
            site = self.site("call", node, fn=node.func.attr, kw=[kw.arg for kw in node.keywords])
            kwargs = ast.Dict(keys=[ast.Constant(kw.arg) for kw in node.keywords],
                              values=[kw.value for kw in node.keywords])
            return self._call(CALL, [ast.Constant(site), node.func, ast.List(node.args, ast.Load()), kwargs])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SHALLOW \
                and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
            return self.shallow(node)
        if isinstance(node, VALUE_NODES) and isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            site = self.site("value", node)
            return self._call(PROBE, [ast.Constant(site), self.inside(node)])
        return self.visit(node)

    def inside(self, node):
        """The parts of a value node: its chain base and called function are not probed themselves."""
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            node.value = self.inside(node.value) if isinstance(node.value, VALUE_NODES) else self.visit(node.value)
            if isinstance(node, ast.Subscript):
                node.slice = self.operand(node.slice)
        elif isinstance(node, ast.Call):
            node.func = self.inside(node.func) if isinstance(node.func, VALUE_NODES) else self.visit(node.func)
            node.args = [self.operand(a) for a in node.args]
            for kw in node.keywords:
                kw.value = self.operand(kw.value)
        return node

    def shallow(self, node):
        """`isinstance(x, T)`, `len(x)`, …: the result and the class names of the arguments."""
        site = self.site("shallow", node)
        args = [self.unprobed(a) for a in node.args]
        return self._call(SHALLOW_FN, [ast.Constant(site), node.func, ast.List(args, ast.Load())])

    def unprobed(self, node):
        return self.inside(node) if isinstance(node, VALUE_NODES) else self.visit(node)

    def generic_visit(self, node):
        """Any other expression: its sub-expressions are operands."""
        for field, old in ast.iter_fields(node):
            if isinstance(old, list):
                setattr(node, field, [self.operand(v) if isinstance(v, ast.expr)
                                      else self.visit(v) if isinstance(v, ast.AST) else v for v in old])
            elif isinstance(old, ast.expr):
                setattr(node, field, self.operand(old))
            elif isinstance(old, ast.AST):
                setattr(node, field, self.visit(old))
        return node

    def visit_Compare(self, node):
        """`a op b op c` -> __tt_cmp__(site, ops, lambda: a, lambda: b, lambda: c): the operands are
        recorded as they are (not probed inside), the chain evaluated as Python does."""
        if any(isinstance(n, (ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(node)):
            return self.generic_visit(node)  # these cannot move into a lambda: probe the operands instead
        ops = [type(op).__name__ for op in node.ops]
        site = self.site("compare", node, ops=ops)
        thunks = [_lambda(e) for e in [node.left] + node.comparators]
        return self._call(COMPARE, [ast.Constant(site), ast.Tuple([ast.Constant(o) for o in ops], ast.Load())]
                          + thunks)

    def visit_Starred(self, node):
        node.value = self.operand(node.value) if isinstance(node.ctx, ast.Load) else node.value
        return node

    def visit_comprehension(self, node):
        node.iter = self.operand(node.iter)
        node.ifs = [self.operand(c) for c in node.ifs]
        return node

    def visit_Lambda(self, node):
        node.body = self.operand(node.body)
        return node

    def visit_JoinedStr(self, node):  # f-strings are left as they are
        return node

    def check(self, node):
        """`assert test, msg` -> `if not __tt_check__(site, <test, probed>): raise AssertionError(msg)`."""
        site = self.site("check", "assert " + ast.unparse(node.test))
        test = self.operand(node.test)
        exc = ast.Call(func=ast.Name("AssertionError", ast.Load()), args=[node.msg] if node.msg else [],
                       keywords=[])
        return ast.If(test=ast.UnaryOp(ast.Not(), self._call(CHECK, [ast.Constant(site), test])),
                      body=[ast.Raise(exc=exc, cause=None)], orelse=[])


class _Asserts(ast.NodeTransformer):
    """Rewrites the asserts of a test case, and records which exception each `except` caught."""

    def __init__(self, inst):
        self.inst = inst

    def visit_Assert(self, node):
        return self.inst.check(node)

    def visit_ExceptHandler(self, node):
        self.generic_visit(node)
        node.name = node.name or "__tt_exc__"
        site = self.inst.site("value", "except " + (ast.unparse(node.type) if node.type else "") + " (the exception)")
        record = ast.Expr(self.inst._call(PROBE, [ast.Constant(site), ast.Name(node.name, ast.Load())]))
        node.body.insert(0, record)
        return node


def instrument(code):
    """(rewritten source, [site descriptions]) for one test case."""
    tree = ast.parse(code)
    inst = _Instrument()
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Expr) and not (isinstance(stmt.value, ast.Constant)
                                               and isinstance(stmt.value.value, str)):
            stmt.value = inst.operand(stmt.value)  # a bare expression: its value is compared
        else:
            tree.body[i] = _Asserts(inst).visit(stmt)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree), inst.sites


# ---------------------------------------------------------------- judging (in the grader)

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


def _outcome(x):
    """A comparable form of a recomputed result (a bool, or the values of an array)."""
    if isinstance(x, np.ndarray):
        return ("array", x.shape, x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    raise Undecodable


def _anchor(student, ref, unstable):
    """At least one stable operand equals the reference's (all unstable: nothing to anchor)."""
    stable = [i for i in range(len(ref)) if i not in unstable]
    return not stable or any(same(student[i], ref[i]) for i in stable)


def _recompute_compare(ops, operands):
    out = []
    for i, op in enumerate(ops[:len(operands) - 1]):
        a, b = decode(operands[i]), decode(operands[i + 1])
        if op in ("Is", "IsNot") and not any(x is None or isinstance(x, bool) for x in (a, b)):
            raise Undecodable  # identity between objects cannot be recomputed from copies
        out.append(_outcome(OPS[op](a, b)))
    return out


def _compare_agrees(site, got, want, unstable):
    if not isinstance(got, dict):
        return False
    so, sr, ro, rr = got.get("o"), got.get("r"), want["o"], want["r"]
    if not isinstance(so, list) or not isinstance(sr, list) or len(so) != len(ro) or len(sr) != len(rr):
        return False
    try:
        if _recompute_compare(site["ops"], so) != _recompute_compare(site["ops"], ro):
            return False
        return _anchor(so, ro, unstable)
    except (Undecodable, TypeError, ValueError, OverflowError):
        return all(same(x, y) for x, y in zip(sr, rr)) and \
            all(i in unstable or same(so[i], ro[i]) for i in range(len(ro)))


def _recompute_call(site, args, kwargs):
    fn = getattr(np, site["fn"])
    return _outcome(np.asarray(fn(*[decode(a) for a in args],
                                  **{k: decode(v) for k, v in kwargs.items()})).copy())


def _call_agrees(site, got, want, unstable):
    if not isinstance(got, dict):
        return False
    sa, sk, ra, rk = got.get("a"), got.get("k"), want["a"], want["k"]
    if not isinstance(sa, list) or len(sa) != len(ra) or not isinstance(sk, dict) or set(sk) != set(rk):
        return False
    operands_s = sa + [sk[k] for k in sorted(rk)]
    operands_r = ra + [rk[k] for k in sorted(rk)]
    try:
        if _recompute_call(site, sa, sk) != _recompute_call(site, ra, rk):
            return False
        return _anchor(operands_s, operands_r, unstable)
    except (Undecodable, TypeError, ValueError, OverflowError, AttributeError):
        return same(got.get("r"), want["r"]) and \
            all(i in unstable or same(operands_s[i], operands_r[i]) for i in range(len(operands_r)))


def agrees(site, got, want, unstable=()):
    """Does the student's probe `got` at `site` agree with the reference's `want`?
    `unstable`: operand positions that differ between two reference runs (not anchors)."""
    kind = site["kind"]
    if kind == "compare":
        return _compare_agrees(site, got, want, set(unstable))
    if kind == "call":
        return _call_agrees(site, got, want, set(unstable))
    return same(got, want)


def operands(kind, entry):
    """The list of encoded operands of a compare/call probe (to find unstable ones)."""
    if kind == "compare":
        return entry["o"]
    if kind == "call":
        return entry["a"] + [entry["k"][k] for k in sorted(entry["k"])]
    return [entry]


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
