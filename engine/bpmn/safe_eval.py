"""A safe evaluator for BPMN expressions: no Python is ever run.

An expression (Camunda's JUEL already translated to its Python spelling by
``juel_to_python``) is parsed into Python's AST and only a small language is
interpreted: literals, variable names, comparisons, boolean, arithmetic and
conditional operators, list/tuple/dict displays, indexing and slicing,
``.name`` on mappings (JUEL's property access), and calls of the functions
registered by name (a plugin's ``signing_group``, a few harmless builtins).
Everything else (attributes of objects, dunder names, lambdas, comprehensions,
calls of anything not registered, assignments) is refused when the expression
is compiled, so a model that uses it is refused at deployment naming the
element. Sizes are bounded: the source, the number of nodes, the powers, and
the strings and lists an operator builds.

A script (a script task an administrator allowed in one deployment) is only a
sequence of assignments ``name = expression``, each expression in the same
language, each line seeing the names the lines before it set.
"""
from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_SOURCE = 2000
MAX_NODES = 300
MAX_BUILT = 100_000  # longest string or list an operator may build
MAX_EXPONENT = 64
MAX_INT_BITS = 256
MAX_SCRIPT_LINES = 50


class ExpressionRefused(ValueError):
    """The expression uses something outside the safe language (said in a sentence)."""


class ExpressionFailed(ValueError):
    """A safe expression could not be evaluated over the given data (a missing variable, a wrong type)."""


def _checked_len(value: Any) -> Any:
    """``value`` if it is small enough: a number of at most ``MAX_INT_BITS``, and strings and containers
    of at most ``MAX_BUILT`` characters and elements in all (nested ones counted each time they appear,
    so a list repeating a long list is as long as it reads)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionFailed("số quá lớn")
    budget, stack = MAX_BUILT, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            budget -= len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            budget -= len(item)
            stack.extend(item)
        elif isinstance(item, Mapping):
            budget -= len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        if budget < 0:
            raise ExpressionFailed(f"kết quả quá dài (hơn {MAX_BUILT} phần tử)")
    return value


def _power(left: Any, right: Any) -> Any:
    if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
        raise ExpressionFailed(f"số mũ quá lớn (tối đa {MAX_EXPONENT})")
    return operator.pow(left, right)


def _times(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) \
                and len(sequence) * max(count, 0) > MAX_BUILT:
            raise ExpressionFailed(f"kết quả quá dài (hơn {MAX_BUILT} phần tử)")
    return operator.mul(left, right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, (str, bytes)):  # printf-style formatting can build any length («%*d»)
        raise ExpressionFailed("không dùng được % với chuỗi")
    return operator.mod(left, right)


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > 20):
        raise ExpressionFailed("round chỉ làm tròn tới 20 chữ số")  # round(1, -10**9) would never end
    return round(number, ndigits)


def _sum(values: Any, start: Any = 0) -> Any:
    if not isinstance(start, (int, float)) or isinstance(start, bool):
        raise ExpressionFailed("sum chỉ cộng các số")
    return sum(values, start)


BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: _times, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: _modulo, ast.Pow: _power,
}
UNARY: dict[type, Callable[[Any], Any]] = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}
COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
#: Builtins an expression may call: pure, bounded by the data they are given.
SAFE_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len, "bool": bool, "str": str, "int": int, "float": float, "abs": abs, "round": _round, "min": min,
    "max": max, "sum": _sum, "sorted": sorted, "any": any, "all": all, "list": list,
}
CONSTANTS = (str, int, float, bool, type(None))
NODES = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.UnaryOp,
         ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.Attribute, ast.Call, ast.keyword, ast.List,
         ast.Tuple, ast.Dict, *BINARY, *UNARY, *COMPARE)


@dataclass(frozen=True)
class SafeExpression:
    """A compiled expression: its source and checked tree."""

    source: str
    tree: ast.Expression


def _refuse_node(node: ast.AST) -> str:
    """Why a node is outside the language, in a sentence."""
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return "không được dùng hàm ẩn danh hay vòng lặp trong biểu thức"
    if isinstance(node, (ast.NamedExpr,)):
        return "không được gán giá trị trong biểu thức"
    if isinstance(node, (ast.Starred,)):
        return "không được dùng dấu * trong biểu thức"
    if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
        return "không được dùng chuỗi định dạng f-string"
    if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
        return "không được dùng await/yield"
    return f"không được dùng «{node.__class__.__name__}» trong biểu thức"


@lru_cache(maxsize=4096)
def compile_expression(source: str, functions: frozenset[str] = frozenset()) -> SafeExpression:
    """Parse and check an expression (Python spelling); ``functions`` are the names it may call besides
    the safe builtins. Raises ``ExpressionRefused`` with the reason."""
    if not isinstance(source, str):
        raise ExpressionRefused("phải là văn bản")
    if len(source) > MAX_SOURCE:
        raise ExpressionRefused(f"dài quá {MAX_SOURCE} ký tự")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionRefused("viết sai cú pháp") from None
    except (ValueError, MemoryError, RecursionError):
        raise ExpressionRefused("không đọc được") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionRefused(f"quá phức tạp (hơn {MAX_NODES} thành phần)")
    callable_names = set(SAFE_BUILTINS) | set(functions)
    for node in nodes:
        if not isinstance(node, NODES):
            raise ExpressionRefused(_refuse_node(node))
        if isinstance(node, ast.Constant) and not isinstance(node.value, CONSTANTS):
            raise ExpressionRefused("chỉ được dùng số, chuỗi, true/false và null làm hằng")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > MAX_BUILT:
            raise ExpressionRefused("có chuỗi quá dài")
        if isinstance(node, ast.Dict) and None in node.keys:
            raise ExpressionRefused("không được dùng ** trong biểu thức")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionRefused(f"không được dùng tên bắt đầu bằng dấu gạch dưới («{node.id}»)")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionRefused(f"không được truy cập «.{node.attr}»")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in callable_names:
                called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ExpressionRefused(f"không được gọi «{called}»: chỉ gọi được các hàm đã đăng ký "
                                        f"({', '.join(sorted(callable_names))})")
            if any(k.arg is None for k in node.keywords):
                raise ExpressionRefused("không được dùng ** khi gọi hàm")
    return SafeExpression(source, tree)


@dataclass(frozen=True)
class SafeScript:
    """A compiled script: the names it sets, in order, each with its expression."""

    source: str
    assignments: tuple[tuple[str, SafeExpression], ...]


@lru_cache(maxsize=512)
def compile_script(source: str, functions: frozenset[str] = frozenset()) -> SafeScript:
    """Parse and check a script: lines ``name = expression`` only (see ``compile_expression`` for the
    expressions). Raises ``ExpressionRefused`` naming the line and the reason."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionRefused("kịch bản trống")
    if len(source) > MAX_SOURCE * 5:
        raise ExpressionRefused(f"kịch bản dài quá {MAX_SOURCE * 5} ký tự")
    try:
        tree = ast.parse(source.strip(), mode="exec")
    except SyntaxError as exc:
        raise ExpressionRefused(f"dòng {exc.lineno}: viết sai cú pháp") from None
    except (ValueError, MemoryError, RecursionError):
        raise ExpressionRefused("không đọc được") from None
    if len(tree.body) > MAX_SCRIPT_LINES:
        raise ExpressionRefused(f"quá {MAX_SCRIPT_LINES} dòng")
    assignments = []
    for statement in tree.body:
        where = f"dòng {statement.lineno}"
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            raise ExpressionRefused(f"{where}: kịch bản chỉ gồm các dòng gán «tên = biểu thức»")
        name = statement.targets[0].id
        if name.startswith("_") or name in SAFE_BUILTINS or name in functions:
            raise ExpressionRefused(f"{where}: không được gán cho «{name}»")
        try:
            assignments.append((name, compile_expression(ast.unparse(statement.value), functions)))
        except ExpressionRefused as exc:
            raise ExpressionRefused(f"{where}: {exc}") from None
    return SafeScript(source, tuple(assignments))


class SafeEvaluator:
    """Evaluates compiled expressions over a mapping of variables; ``functions`` are callable by name."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None):
        self.functions = {**SAFE_BUILTINS, **dict(functions or {})}
        self.registered = frozenset(functions or ())

    def compile(self, source: str) -> SafeExpression:
        """``compile_expression`` with this evaluator's functions."""
        return compile_expression(source, self.registered)

    def evaluate(self, source: str, variables: Mapping[str, Any]) -> Any:
        """The value of ``source`` over ``variables``. Raises ``ExpressionRefused`` or ``ExpressionFailed``."""
        compiled = self.compile(source)
        try:
            return _Interpreter(variables, self.functions).value(compiled.tree.body)
        except (ExpressionFailed, ExpressionRefused):
            raise
        except RecursionError:
            raise ExpressionFailed("dữ liệu lồng nhau quá sâu") from None
        except Exception as exc:  # noqa: BLE001 - any failure over the data is said in one sentence
            raise ExpressionFailed(f"{exc.__class__.__name__}: {exc}") from None

    def run_script(self, source: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """Run a script over ``variables``; the names it set with their values, in order."""
        script = compile_script(source, self.registered)
        results: dict[str, Any] = {}
        for name, expression in script.assignments:
            results[name] = self.evaluate(expression.source, {**variables, **results})
        return results


class _Interpreter:
    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]):
        self.variables = variables
        self.functions = functions

    def value(self, node: ast.AST) -> Any:
        method = getattr(self, f"_{node.__class__.__name__}")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in self.functions:
            return self.functions[node.id]
        raise ExpressionFailed(f"không có biến «{node.id}»")

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for operand in node.values:
            result = self.value(operand)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _BinOp(self, node: ast.BinOp) -> Any:
        return _checked_len(BINARY[type(node.op)](self.value(node.left), self.value(node.right)))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        return UNARY[type(node.op)](self.value(node.operand))

    def _Compare(self, node: ast.Compare) -> bool:
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container = self.value(node.value)
        if not isinstance(container, (Mapping, list, tuple, str)):
            raise ExpressionFailed(f"không lấy phần tử được từ giá trị kiểu {type(container).__name__}")
        key = self.value(node.slice)
        return container[key]

    def _Slice(self, node: ast.Slice) -> slice:
        return slice(*(self.value(part) if part is not None else None for part in (node.lower, node.upper, node.step)))

    def _Attribute(self, node: ast.Attribute) -> Any:
        owner = self.value(node.value)
        if not isinstance(owner, Mapping):
            raise ExpressionFailed(f"«.{node.attr}» chỉ dùng được trên dữ liệu có tên trường, không trên "
                                   f"giá trị kiểu {type(owner).__name__}")
        if node.attr not in owner:
            raise ExpressionFailed(f"không có trường «{node.attr}»")
        return owner[node.attr]

    def _Call(self, node: ast.Call) -> Any:
        function = self.functions[node.func.id]  # checked at compile: a registered name
        args = [self.value(arg) for arg in node.args]
        kwargs = {k.arg: self.value(k.value) for k in node.keywords}
        return _checked_len(function(*args, **kwargs))

    def _List(self, node: ast.List) -> list:
        return _checked_len([self.value(element) for element in node.elts])

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return _checked_len(tuple(self.value(element) for element in node.elts))

    def _Dict(self, node: ast.Dict) -> dict:
        if any(key is None for key in node.keys):
            raise ExpressionRefused("không được dùng ** trong biểu thức")
        return _checked_len({self.value(key): self.value(value) for key, value in zip(node.keys, node.values)})
