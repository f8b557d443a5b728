"""A small mutator of module-level tables, which mutmut leaves alone (it mutates inside functions).

A table is a dict, set, list or tuple literal (or frozenset/set/tuple/list/dict of one) assigned
at module level. Each mutant changes one thing:

- "drop X": an entry of a dict, or an element of a set, list or row tuple, is removed;
- "swap K and L": two neighbouring keys of a dict trade values (skipped when the values are equal);
- "change V": a literal inside an entry changes: a string gains "XX" at both ends, a number
  gains 1, a boolean flips. Keys and the bare members of a set or list are not changed that way
  (for them a change is a drop); the fields of a row (CountryTax("FR", "French VAT", 2000, True))
  and a dict's values are.

Each mutant is described in words ("DEFAULT_TABLE: change 2000 in row 'FR'"); the description is its
name in equivalent.toml. The mutated module is compiled from the changed syntax tree; forked.py runs
the module's unit tests against it.
"""
from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType

from tests.mutation.targets import ROOT

_COLLECTIONS = {"frozenset", "set", "tuple", "list", "dict"}


@dataclass(frozen=True)
class TableMutant:
    module: str
    table: str
    description: str
    code: CodeType | None = None  # None: the unmutated module (the clean run)

    @property
    def key(self) -> str:
        return f"{self.table}: {self.description}"


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _changed(node: ast.Constant) -> ast.Constant | None:
    value = node.value
    if isinstance(value, bool):
        return ast.Constant(not value)
    if isinstance(value, int | float):
        return ast.Constant(value + 1)
    if isinstance(value, str):
        return ast.Constant(f"XX{value}XX")
    if isinstance(value, bytes):
        return ast.Constant(b"XX" + value + b"XX")
    return None


def _collection(node: ast.AST) -> ast.AST | None:
    """The literal a table is made of: the node itself, or the literal inside frozenset({...})."""
    if isinstance(node, ast.Dict | ast.Set | ast.List | ast.Tuple):
        return node
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _COLLECTIONS
            and len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Dict | ast.Set | ast.List | ast.Tuple)):
        return node.args[0]
    return None


def _is_row(node: ast.Tuple) -> bool:
    """A tuple whose members are of different kinds is one record ("European Union", EU_MEMBERS):
    dropping a field only breaks unpacking. A tuple of like members is a list."""
    kinds = {type(e.value) if isinstance(e, ast.Constant) else type(e) for e in node.elts}
    return len(kinds) > 1


def _row_label(row: ast.AST, index: int) -> str:
    """A row named by its first literal (CountryTax("FR", ...) -> 'FR'), else by its number."""
    fields = row.args if isinstance(row, ast.Call) else getattr(row, "elts", [])
    first = next((f for f in fields if isinstance(f, ast.Constant)), None)
    return repr(first.value) if first is not None else str(index + 1)


Edit = Callable[[ast.AST], None]  # changes the copy of a node that a path leads to


def _mutations(node: ast.AST, where: str, members: bool) -> Iterator[tuple[str, Edit, tuple]]:
    """(description, edit, path) of each mutation inside `node`; a path is a tuple of (field, index)
    steps from the table's value. `members`: the node is a member of a set or list (not changed,
    only dropped)."""
    inner = _collection(node)
    if inner is not None and inner is not node:
        for text, edit, path in _mutations(inner, where, members):
            yield text, edit, (("args", 0),) + path
        return
    if isinstance(node, ast.Dict):
        for i, key in enumerate(node.keys):
            label = _short(key) if key is not None else f"**{_short(node.values[i])}"
            yield f"drop {label}{where}", _drop_dict(i), ()
        for i in range(len(node.keys) - 1):
            a, b = node.values[i], node.values[i + 1]
            if node.keys[i] is not None and node.keys[i + 1] is not None and ast.dump(a) != ast.dump(b):
                yield f"swap {_short(node.keys[i])} and {_short(node.keys[i + 1])}{where}", _swap(i), ()
        for i, (key, value) in enumerate(zip(node.keys, node.values, strict=True)):
            inside = f" of {_short(key)}" if key is not None else ""
            for text, edit, path in _mutations(value, inside + where, False):
                yield text, edit, (("values", i),) + path
        return
    if isinstance(node, ast.Set | ast.List) or (isinstance(node, ast.Tuple) and not _is_row(node)):
        rows = any(not isinstance(e, ast.Constant | ast.Name | ast.Attribute) for e in node.elts)
        for i, element in enumerate(node.elts):
            label = f"row {_row_label(element, i)}" if rows else _short(element)
            yield f"drop {label}{where}", _drop_element(i), ()
        for i, element in enumerate(node.elts):
            inside = f" in row {_row_label(element, i)}{where}" if rows else where
            for text, edit, path in _mutations(element, inside, not rows):
                yield text, edit, (("elts", i),) + path
        return
    if isinstance(node, ast.Tuple):  # a row: its fields change, none is dropped
        for i, element in enumerate(node.elts):
            for text, edit, path in _mutations(element, where, False):
                yield text, edit, (("elts", i),) + path
        return
    if isinstance(node, ast.Call):  # a row built by a constructor: CountryTax("FR", ...)
        for i, arg in enumerate(node.args):
            for text, edit, path in _mutations(arg, where, False):
                yield text, edit, (("args", i),) + path
        for i, keyword in enumerate(node.keywords):
            for text, edit, path in _mutations(keyword.value, where, False):
                yield text, edit, (("keywords", i), ("value", None)) + path
        return
    if isinstance(node, ast.BinOp):  # "Your card ..." + ANOTHER_CARD
        for side in ("left", "right"):
            for text, edit, path in _mutations(getattr(node, side), where, members):
                yield text, edit, ((side, None),) + path
        return
    if isinstance(node, ast.Constant) and not members and _changed(node) is not None:
        yield f"change {_short(node)}{where}", _replace_constant, ()


def _drop_dict(i: int) -> Edit:
    def edit(node: ast.AST) -> None:
        del node.keys[i], node.values[i]
    return edit


def _swap(i: int) -> Edit:
    def edit(node: ast.AST) -> None:
        node.values[i], node.values[i + 1] = node.values[i + 1], node.values[i]
    return edit


def _drop_element(i: int) -> Edit:
    def edit(node: ast.AST) -> None:
        del node.elts[i]
    return edit


def _replace_constant(node: ast.AST) -> None:
    node.value = _changed(node).value


def _follow(node: ast.AST, path: tuple) -> ast.AST:
    for field, index in path:
        node = getattr(node, field)
        if index is not None:
            node = node[index]
    return node


def _tables(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(index in the module body, name) of each table assignment."""
    for index, statement in enumerate(tree.body):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target = statement.target
        else:
            continue
        if isinstance(target, ast.Name | ast.Subscript) and _collection(statement.value) is not None:
            yield index, ast.unparse(target)


def mutants(module: str, source: str | None = None) -> list[TableMutant]:
    """Every table mutant of `module` (a path from the root; its file unless `source` is given), each
    compiled and ready to import."""
    source = (ROOT / module).read_text() if source is None else source
    tree = ast.parse(source)
    found: list[TableMutant] = []
    seen: dict[str, int] = {}
    for index, name in _tables(tree):
        for description, edit, path in _mutations(tree.body[index].value, "", False):
            mutated = copy.deepcopy(tree)
            edit(_follow(mutated.body[index].value, path))
            key = f"{name}: {description}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                description += f" (#{seen[key]})"
            code = compile(ast.fix_missing_locations(mutated), str(ROOT / module), "exec")
            found.append(TableMutant(module, name, description, code))
    return found


def clean(module: str) -> TableMutant:
    source = (ROOT / module).read_text()
    return TableMutant(module, "", "unmutated", compile(source, str(ROOT / module), "exec"))
