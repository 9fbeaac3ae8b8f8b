"""A configured WallStreetFeds experiment: TOML config → run → report (``cst_ref.outputs`` writes it)."""

from .config import ConfigError, ExperimentConfig, load_config, parse_config
from .report import build_report, dumps, schema
from .runner import Experiment, run_experiment
from .summary import summary

__all__ = [
    "ConfigError",
    "Experiment",
    "ExperimentConfig",
    "build_report",
    "dumps",
    "load_config",
    "parse_config",
    "run_experiment",
    "schema",
    "summary",
]
