"""`cst-ref run` on the quick example, end to end, as a reader types it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from cst_ref.experiment import schema

from .conftest import EXAMPLES


def test_quick_example_runs_end_to_end_on_the_evm(tmp_path):
    script = Path(sys.executable).parent / "cst-ref"
    done = subprocess.run([script, "run", "--config", EXAMPLES / "quick.toml", "--out", tmp_path / "quick",
                           "--backend", "evm"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "quick" / "report.json").read_text())
    jsonschema.validate(report, schema())
    assert report["backend"] == "evm" and len(report["rounds"]) == 4 and len(report["clients"]) == 5
    assert all(p["gas"] > 0 for r in report["rounds"] for p in r["rules"].values())
    assert report["clients"][4]["behaviour"] == "free_rider"
    assert "FedAvg" not in done.stderr  # no progress bars when not on a terminal
    assert (tmp_path / "quick" / ".cst-ref-run").is_file()  # what lets --force replace it, and nothing else
