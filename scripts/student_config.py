"""Write the student edition's Jupyter Book configuration: the book's own, without solutions.

``make book-student`` builds with it into ``_build/student/_build/html``. Only two settings
differ from ``_config.yml`` (the title, and ``student_build``, which ``book/_ext/student_build.py``
reads), so the two editions cannot drift; the pages and their execution cache are shared.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_config.local-student.yml"
"""Beside _config.yml: Jupyter Book resolves ``local_extensions`` paths from the config's folder
(and git ignores ``_config.local*.yml``)."""


def student_config(config: dict) -> dict:
    """``config`` with its solutions switched off and its title marked."""
    config = dict(config)
    config["title"] = f"{config['title']} (student edition)"
    sphinx = dict(config.get("sphinx", {}))
    sphinx["config"] = {**sphinx.get("config", {}), "student_build": True}
    config["sphinx"] = sphinx
    return config


def main() -> None:
    OUTPUT.write_text(yaml.safe_dump(student_config(yaml.safe_load((ROOT / "_config.yml").read_text())),
                                     sort_keys=False, allow_unicode=True))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
