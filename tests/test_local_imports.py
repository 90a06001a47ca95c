"""An import inside a function says why it is there. The house rule: imports sit at the top of
the module, and an import inside a function is kept only where it keeps TensorFlow or Streamlit
(or an import that takes seconds, such as statsmodels) out of a process; the reason is a comment
on its line or on the line above it (or above the run of imports it starts)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _sources() -> list[Path]:
    return sorted([*REPO.glob("core/**/*.py"), *REPO.glob("pages/**/*.py"), REPO / "app.py"])


def unexplained_local_imports(path: Path, root: Path = REPO) -> list[str]:
    """'file:line module' of each import inside a function without a reason comment."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for function in ast.walk(ast.parse(text)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        imports = [
            node for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        import_lines = {
            number for node in imports for number in range(node.lineno, node.end_lineno + 1)
        }
        for node in imports:
            if "#" in lines[node.lineno - 1]:
                continue
            above = node.lineno - 1  # 1-based number of the line above
            while above >= 1 and (above in import_lines or not lines[above - 1].strip()):
                above -= 1
            if above >= 1 and lines[above - 1].strip().startswith("#"):
                continue
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            found.append(f"{path.relative_to(root)}:{node.lineno} {module}")
    return found


def test_every_import_inside_a_function_gives_its_reason():
    unexplained = [line for path in _sources() for line in unexplained_local_imports(path)]
    assert not unexplained, (
        "imports inside functions without a reason comment (move them to the top of the "
        "module, or say on the line what they keep out of which process): " + ", ".join(unexplained)
    )


def test_the_check_sees_an_import_without_a_reason(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def kept():\n"
        "    import keras  # TensorFlow stays out of the page server\n"
        "\n"
        "\n"
        "def grouped():\n"
        "    # imports here: the workers re-import this file\n"
        "    import os\n"
        "\n"
        "    import json\n"
        "\n"
        "\n"
        "def bare():\n"
        "    x = 1\n"
        "    from core.errors import ConfigError\n"
        "    return x, ConfigError\n"
    )
    found = [line.split(" ", 1)[1] for line in unexplained_local_imports(module, tmp_path)]
    assert found == ["core.errors"]
