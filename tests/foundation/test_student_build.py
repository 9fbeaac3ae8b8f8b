"""The student edition (`make book-student`): the book's configuration with
``student_build`` on, on a two-page book whose exercises have both kinds of solution."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from student_config import student_config  # noqa: E402

from tests.foundation.test_build_fails import FRONT_MATTER  # noqa: E402

PAGE = FRONT_MATTER + """
# Exercises

```{exercise}
:label: ex-plain
Add two and two.
```

```{solution} ex-plain
:class: dropdown
PLAIN-SOLUTION-TEXT is four.
```

```{exercise}
:label: ex-gated
Print a greeting.
```

```{solution-start} ex-gated
:class: dropdown
```

```{code-cell} ipython3
print("GATED" + "-SOLUTION-OUTPUT")
```

GATED-SOLUTION-PROSE after the cell.

```{solution-end}
```

AFTER-THE-EXERCISES stays.
"""


def build(book: Path, config: Path, out: Path) -> str:
    result = subprocess.run(
        [Path(sys.executable).parent / "jupyter-book", "build", str(book), "--config", str(config),
         "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, cwd=book, timeout=300,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return (out / "_build" / "html" / "book" / "exercises.html").read_text()


def test_the_student_edition_drops_both_kinds_of_solution(tmp_path):
    book = tmp_path / "src"
    (book / "book").mkdir(parents=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["cache"] = str(tmp_path / "cache")
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    (book / "student.yml").write_text(yaml.safe_dump(student_config(config)))
    (book / "_vendor").symlink_to(ROOT / "_vendor")
    for folder in ("_ext", "_assets"):
        (book / "book" / folder).symlink_to(ROOT / "book" / folder)
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "book" / "index.md").write_text("# Index\n\n```{bibliography}\n:all:\n```\n")
    (book / "book" / "exercises.md").write_text(PAGE)
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n- file: book/exercises\n")

    teacher = build(book, book / "_config.yml", tmp_path / "teacher")
    student = build(book, book / "student.yml", tmp_path / "student")
    for text in ("PLAIN-SOLUTION-TEXT", "GATED-SOLUTION-OUTPUT", "GATED-SOLUTION-PROSE"):
        assert text in teacher and text not in student, text
    for text in ("Add two and two.", "Print a greeting.", "AFTER-THE-EXERCISES"):
        assert text in teacher and text in student, text
    assert "(student edition)" in student and "(student edition)" not in teacher


def test_the_student_config_changes_only_title_and_solutions():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    student = student_config(config)
    assert student["sphinx"]["config"]["student_build"] is True
    assert {k: v for k, v in student.items() if k not in ("title", "sphinx")} == \
        {k: v for k, v in config.items() if k not in ("title", "sphinx")}
    assert {k: v for k, v in student["sphinx"].items() if k != "config"} == \
        {k: v for k, v in config["sphinx"].items() if k != "config"}
    assert config["sphinx"]["config"].get("student_build") is None  # the source is not changed
