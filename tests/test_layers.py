"""Layering rules (DESIGN.md): core never imports streamlit; pages and app.py never import
TensorFlow or Keras. Checked by parsing every module's imports, including function-local ones."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _python_files(*parts: str) -> list[Path]:
    return sorted(path for part in parts for path in (REPO / part).rglob("*.py"))


def test_core_never_imports_streamlit():
    files = _python_files("core")
    assert files, "no core modules found"
    offenders = [
        str(path.relative_to(REPO)) for path in files if "streamlit" in _imported_roots(path)
    ]
    assert offenders == [], f"core modules importing streamlit: {offenders}"


def test_pages_and_app_never_import_tensorflow_or_keras():
    files = [REPO / "app.py", *_python_files("pages")]
    assert (REPO / "app.py").is_file()
    forbidden = {"tensorflow", "keras", "tf_keras"}
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_roots(path) & forbidden)
        for path in files
        if _imported_roots(path) & forbidden
    }
    assert offenders == {}, f"pages importing TensorFlow/Keras: {offenders}"


def test_the_checker_sees_function_local_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def load():\n    import keras\n    from tensorflow import io\n")
    assert {"keras", "tensorflow"} <= _imported_roots(sample)
