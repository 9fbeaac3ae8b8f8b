"""The package installs, reports its version, and its command line answers."""

import re
import subprocess
import sys
from pathlib import Path

import cst_ref
from cst_ref.cli import main, toolchain_versions


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", cst_ref.__version__)


def test_console_script_help_and_version():
    script = Path(sys.executable).parent / "cst-ref"
    help_text = subprocess.run([script, "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage: cst-ref" in help_text and "info" in help_text
    version = subprocess.run([script, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.strip() == f"cst-ref {cst_ref.__version__}"


def test_info_reports_the_pinned_toolchain(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    versions = toolchain_versions()
    assert versions["vyper"] == "0.4.3" and versions["titanoboa"] == "0.2.8"
    assert re.search(rf"^cst-ref\s+{re.escape(cst_ref.__version__)}$", out, re.M)
    assert re.search(r"^vyper\s+0\.4\.3$", out, re.M)


def test_unknown_command_is_a_clear_error(capsys):
    try:
        main(["no-such-command"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err


def test_the_readme_layout_names_every_module():
    readme = (Path(cst_ref.__file__).parents[1] / "README.md").read_text()
    table = readme[readme.index("| unit | modules |"):]
    table = table[: table.index("\n\n")]
    package = Path(cst_ref.__file__).parent
    modules = {p.stem for p in package.rglob("*.py") if p.stem not in ("__init__", "__main__")}
    missing = sorted(m for m in modules if f"`{m}`" not in table)
    assert missing == [], f"README's layout table omits {missing}"
