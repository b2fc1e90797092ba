"""Probes: what a test case's asserts read, recorded in the child, checked in the grader.

Test cases are rewritten (`instrument`) so that the child reports the values the asserts look at
(runner.py encodes them as JSON data). A case passes iff it ran without error in the student's
process AND its record holds together (`holds`): grading is exactly as strict as the asserts, so
a submission that satisfies every assert of a case passes it, whatever its error messages say or
whichever other values it computes. The record is checked only against what the asserts
themselves fix, which rejects a submission that patches the grader's recording inside its own
process without computing the values the asserts test (it would have to fake values that make
every assert true, literals included):

  compare  each comparison `a == b`, `"shape" in error`, `x is y`, `a < b < c`: its operands and
           results. Literal operands (`6`, `(2, 3)`, `"shape"`, `np.float32`) must be what the
           reference run recorded (they are the same in every honest run), and the results must
           follow from the operands (recomputed here where the operands are plain data). A
           generic object (not a number, string, container, array or Tensor) that compares equal
           or ordered to plain data decides nothing: only a magic `__eq__` does that.
  call     `np.allclose`, `np.isclose`, `np.array_equal`, `np.array_equiv`: the same rules.
  shallow  `isinstance`, `len`, `type`, … : a result and one class name per argument.
  value    any other outermost value the assert reads (`t.requires_grad`, `f(x)`): recorded, not
           judged (an assert that reads it decides, and a value the assert does not test must not
           fail the case).
  check    the truth of each assert: True; every assert that runs unconditionally (not inside a
           loop, `if`, `try` or function) must be in the record.
  except   the exception each `except` clause of the test code caught (recorded, not judged).
Equal (for literals) means values.same.
"""
import ast
import operator

import numpy as np

from .values import MAX_STR, Undecodable, decode, same, short  # noqa: F401 (short: for judge.py)

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


def _literal(node):
    """A constant the test writes out (`6`, `(2, 3)`, `-1.5`, `"shape"`, `None`, `np.float32`): the
    same value in every run of the case, whatever the submission does."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _literal(node.operand)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _literal(k) for k in node.keys) and all(_literal(v) for v in node.values)
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in NUMPY_NAMES)


def _literals(nodes):
    return [i for i, e in enumerate(nodes) if _literal(e)]


def _unconditional(body):
    """The asserts of a block that run whenever the block runs (also inside `with`)."""
    for stmt in body:
        if isinstance(stmt, ast.Assert):
            yield stmt
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _unconditional(stmt.body)


def _is_predicate(node):
    f = node.func
    return (isinstance(f, ast.Attribute) and f.attr in PREDICATES and isinstance(f.value, ast.Name)
            and f.value.id in NUMPY_NAMES and not any(isinstance(a, ast.Starred) for a in node.args)
            and all(kw.arg for kw in node.keywords))


class _Instrument(ast.NodeTransformer):
    def __init__(self, required=()):
        self.sites = []  # site id -> {"kind", "text", ...}
        self.required = set(required)  # ids of the assert nodes that always run

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
            site = self.site("call", node, fn=node.func.attr, kw=[kw.arg for kw in node.keywords], n=len(node.args),
                             lit=_literals(node.args + [kw.value for kw in node.keywords]))
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
        site = self.site("shallow", node, n=len(node.args))
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
        site = self.site("compare", node, ops=ops, lit=_literals([node.left] + node.comparators))
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
        site = self.site("check", "assert " + ast.unparse(node.test), required=id(node) in self.required)
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
    inst = _Instrument(id(a) for a in _unconditional(tree.body))
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Expr) and not (isinstance(stmt.value, ast.Constant)
                                               and isinstance(stmt.value.value, str)):
            # a bare expression: otter compares its printed value, so its value must be the reference's
            site = inst.site("output", stmt.value)
            stmt.value = inst._call(PROBE, [ast.Constant(site), inst.unprobed(stmt.value)])
        else:
            tree.body[i] = _Asserts(inst).visit(stmt)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree), inst.sites


# ---------------------------------------------------------------- judging (in the grader)

def _outcome(x):
    """A comparable form of a comparison's result: a bool, or the shape and values of a bool array."""
    x = np.asarray(x)
    if x.dtype != bool:
        raise Undecodable
    return bool(x) if x.ndim == 0 else ("array", x.shape, x.tolist())


def _plain(e):
    """Is the encoded value plain data that decode() rebuilds as the child had it (not an object, a
    Tensor, a summary of a large array or a string the child cut short)?"""
    if not isinstance(e, list) or not e:
        return False
    tag = e[0]
    if tag in ("t", "l"):
        return isinstance(e[2], list) and all(_plain(x) for x in e[2])
    if tag == "d":
        return isinstance(e[2], list) and all(isinstance(x, list) and len(x) == 2 and _plain(x[0]) and _plain(x[1])
                                              for x in e[2])
    if tag in ("s", "y"):
        return isinstance(e[1], str) and len(e[1]) < MAX_STR
    if tag == "a":
        return isinstance(e[-2], list)
    return tag in ("none", "b", "i", "f", "c", "dt")


def _tag(e):
    return e[0] if isinstance(e, list) and e else None


def _object_decides(ops, operands):
    """Is an ordering or (in)equality decided by a generic object's own `__eq__`/`__lt__` against
    plain data (a number, a string, an array)? Honest values that equal such data are plain data
    themselves (sets and paths compare with their own kind); a magic object that equals anything is not."""
    tags = [_tag(x) for x in operands]
    return "o" in tags and any(t != "o" for t in tags) and any(op not in ("Is", "IsNot", "In", "NotIn") for op in ops)


def _follows(recompute, operands, results):
    """Do the recorded results follow from the recorded operands? (yes where it cannot be recomputed)"""
    if not all(_plain(x) for x in operands + results):
        return True  # objects, identity, large arrays: the child's own evaluation stands
    try:
        return recompute() == [_outcome(decode(r)) for r in results]
    except (Undecodable, TypeError, ValueError, OverflowError, AttributeError):
        return True


def _recompute_compare(ops, operands):
    out = []
    for i, op in enumerate(ops[:len(operands) - 1]):
        a, b = decode(operands[i]), decode(operands[i + 1])
        if op in ("Is", "IsNot") and not any(x is None or isinstance(x, bool) for x in (a, b)):
            raise Undecodable  # identity between objects cannot be recomputed from copies
        out.append(_outcome(OPS[op](a, b)))
    return out


def _recompute_call(site, args, kwargs):
    fn = getattr(np, site["fn"])
    return [_outcome(fn(*[decode(a) for a in args], **{k: decode(v) for k, v in kwargs.items()}))]


def _literals_hold(site, ops, want):
    """The literal operands are what the reference run recorded (nothing to compare where the
    reference did not reach this site)."""
    if want is None:
        return True
    ref = operands(site, want)
    return all(same(ops[i], ref[i]) for i in site.get("lit", ()) if i < len(ops) and i < len(ref))


def holds(site, got, want=None):
    """Does the student's record `got` at `site` hold together (see the module docstring)?
    `want`: the reference's record of the same site, or None."""
    kind = site["kind"]
    if kind == "check":
        return got == ["b", True]
    if kind == "compare":
        if not isinstance(got, dict) or not isinstance(got.get("o"), list) or not isinstance(got.get("r"), list):
            return False
        o, r = got["o"], got["r"]
        if not 1 <= len(r) <= len(site["ops"]) or len(o) != len(r) + 1:
            return False
        if _object_decides(site["ops"], o):
            return False
        return _literals_hold(site, o, want) and _follows(lambda: _recompute_compare(site["ops"], o), o, r)
    if kind == "call":
        if not isinstance(got, dict) or not isinstance(got.get("a"), list) or not isinstance(got.get("k"), dict):
            return False
        a, k = got["a"], got["k"]
        if len(a) != site["n"] or sorted(k) != sorted(site["kw"]):
            return False
        ops = operands(site, got)
        if any(_tag(x) == "o" for x in ops):  # np.allclose(obj, ...): only the object's own methods decide
            return False
        return _literals_hold(site, ops, want) and \
            _follows(lambda: _recompute_call(site, a, k), ops, [got.get("r")])
    if kind == "shallow":
        return isinstance(got, list) and len(got) == 3 and got[0] == "w" and isinstance(got[2], list) \
            and len(got[2]) == site["n"] and all(isinstance(n, str) for n in got[2])
    if kind == "output":  # a bare expression's printed value, which otter compares with the reference's
        return want is None or same(got, want)
    return isinstance(got, list) and bool(got) and isinstance(got[0], str)  # a value: well formed


def operands(site, entry):
    """The list of encoded operands of a compare/call record (a call's keywords in source order)."""
    if site["kind"] == "compare":
        return entry["o"]
    if site["kind"] == "call":
        return entry["a"] + [entry["k"].get(k) for k in site["kw"]]
    return [entry]
