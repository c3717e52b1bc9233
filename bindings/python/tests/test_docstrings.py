"""Everything public is documented: at run time (``help(bv.Dataset)`` in a notebook, from the
Rust doc comments) and in the stubs (what an editor shows, from ``_core.pyi``)."""

from __future__ import annotations

import ast
import inspect
import types
from pathlib import Path

import barnvern as bv

PACKAGE = Path(bv.__file__).resolve().parent
STUB = PACKAGE / "_core.pyi"

# Dunders whose meaning is obvious from the signature; a stub may leave them as ``...``.
TRIVIAL_DUNDERS = {
    "__eq__",
    "__hash__",
    "__ne__",
    "__iter__",
    "__contains__",
    "__copy__",
    "__deepcopy__",
    "__reduce__",
    "__getstate__",
    "__setstate__",
}


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _documented(obj: object) -> bool:
    doc = getattr(obj, "__doc__", None)
    return isinstance(doc, str) and doc.strip() != ""


def _alias_docstrings() -> dict[str, str]:
    """Module-level names followed by a string literal (an attribute docstring), in the pure
    Python modules of the package: how a type alias such as ``bv.Jurisdiction`` is documented."""
    found: dict[str, str] = {}
    for path in PACKAGE.glob("*.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        for statement, following in zip(body, body[1:]):
            targets: list[ast.expr] = []
            if isinstance(statement, ast.Assign):
                targets = list(statement.targets)
            elif isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            if (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                for target in targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = following.value.value
    return found


def _own_members(cls: type) -> dict[str, object]:
    """What ``cls`` itself defines that a user meets: public methods and properties, and the
    dunders with their own implementation (``__reduce__``, ``__copy__``, ...). Slot wrappers
    such as ``__repr__`` are left out: CPython gives them a fixed docstring."""
    members: dict[str, object] = {}
    for name, raw in vars(cls).items():
        if name.startswith("_") and not _is_dunder(name):
            continue
        if isinstance(raw, (types.WrapperDescriptorType, types.BuiltinFunctionType)) and _is_dunder(name):
            continue  # slot wrappers and __new__
        if name in {"__init__", "__new__", "__class_getitem__", "__init_subclass__", "__subclasshook__"}:
            continue  # construction is the class docstring's job
        value = getattr(cls, name)
        if inspect.isroutine(value) or inspect.isdatadescriptor(value) or isinstance(raw, property):
            members[name] = value
    return members


def _is_typing_alias(obj: object) -> bool:
    return type(obj).__module__ == "typing"


def test_every_name_in_all_has_a_docstring() -> None:
    """Classes and functions through ``__doc__``; type aliases (``bv.Jurisdiction``, whose
    ``__doc__`` is typing's) through the string after their assignment; ``__version__`` (a
    ``str``) in the stub."""
    aliases = _alias_docstrings()
    missing = []
    for name in bv.__all__:
        obj = getattr(bv, name)
        if name == "__version__":
            documented = bool(_stub_module_docs().get(name, "").strip())
        elif isinstance(obj, type) or (callable(obj) and not _is_typing_alias(obj)):
            documented = _documented(obj)
        else:
            documented = bool(aliases.get(name, "").strip())
        if not documented:
            missing.append(name)
    assert missing == []


def _public_classes() -> list[type]:
    return [obj for name in bv.__all__ if isinstance(obj := getattr(bv, name), type)]


def test_every_public_method_and_property_has_a_docstring_at_run_time() -> None:
    missing = [
        f"{cls.__name__}.{name}"
        for cls in _public_classes()
        for name, member in _own_members(cls).items()
        if not _documented(member)
    ]
    assert missing == []


def test_the_run_time_check_sees_the_rust_methods() -> None:
    """A guard on the test above: it must look at the methods and properties of the Rust
    classes, not at nothing."""
    members = _own_members(bv.Dataset)
    assert {"to_polars", "to_pandas", "table", "path", "rows", "__reduce__"} <= set(members)
    assert {"assign", "assigned", "__reduce__"} <= set(_own_members(bv.Randomiser))
    assert "Polars" in (bv.Dataset.to_polars.__doc__ or "") or "polars" in (bv.Dataset.to_polars.__doc__ or "")


# --- the stubs ------------------------------------------------------------------------------


def _stub_module_docs() -> dict[str, str]:
    body = ast.parse(STUB.read_text(encoding="utf-8")).body
    docs: dict[str, str] = {}
    for statement, following in zip(body, body[1:]):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = following.value.value
    return docs


def _is_overload(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)


def _undocumented_in(body: list[ast.stmt], owner: str, class_doc: str | None) -> list[str]:
    """Public defs and classes of ``body`` without a docstring. An overloaded function needs one
    docstring among its overloads."""
    missing: list[str] = []
    overloads: dict[str, bool] = {}
    for node in body:
        if isinstance(node, ast.ClassDef):
            if node.name.startswith("_"):
                continue
            doc = ast.get_docstring(node)
            if not doc:
                missing.append(f"{owner}{node.name}")
            missing.extend(_undocumented_in(node.body, f"{owner}{node.name}.", doc))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = node.name
            if name.startswith("_") and not _is_dunder(name):
                continue
            documented = bool(ast.get_docstring(node))
            if _is_overload(node):
                overloads[name] = overloads.get(name, False) or documented
                continue
            if documented or name in TRIVIAL_DUNDERS:
                continue
            if name == "__len__" and class_doc is not None and "len(" in class_doc:
                continue
            missing.append(f"{owner}{name}")
    missing.extend(f"{owner}{name}" for name, documented in overloads.items() if not documented)
    return missing


def test_every_public_def_and_class_in_the_stub_has_a_docstring() -> None:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree)
    assert _undocumented_in(tree.body, "", None) == []


def test_the_stub_check_finds_a_missing_docstring() -> None:
    """A guard on the test above, on a stub written for it."""
    sample = ast.parse(
        "class A:\n"
        '    """An A; ``len(a)`` counts it."""\n'
        "    def __len__(self) -> int: ...\n"
        "    def __eq__(self, other: object) -> bool: ...\n"
        "    def __repr__(self) -> str: ...\n"
        "    def shown(self) -> int: ...\n"
        "    def _private(self) -> int: ...\n"
        "    @overload\n"
        "    def get(self, k: str) -> int: ...\n"
        "    @overload\n"
        "    def get(self, k: str, d: int) -> int: ...\n"
        "class B:\n"
        '    """A B."""\n'
        "    def __len__(self) -> int: ...\n"
        "def f() -> None: ...\n"
    )
    assert sorted(_undocumented_in(sample.body, "", None)) == ["A.__repr__", "A.get", "A.shown", "B.__len__", "f"]


def test_the_stub_documents_every_name_of_the_extension_module() -> None:
    """Every name ``barnvern._core`` exports appears in the stub (stubtest checks the
    signatures; this checks nothing is left to an ``Any``)."""
    from barnvern import _core

    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    in_stub = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    in_stub |= set(_stub_module_docs())
    exported = {name for name in vars(_core) if not name.startswith("_") or name == "__version__"}
    assert exported - in_stub == set()
