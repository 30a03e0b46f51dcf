"""Thresholds and state vocabularies: defaults in `checks/policy.yaml`, overridable per run.

An override file may only change settings that exist, so a typo is an error rather than a
silently ignored threshold.
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from inspector.files import read_yaml


class PolicyError(ValueError):
    pass


class Policy:
    def __init__(self, settings: dict[str, Any], *, source: str = "defaults") -> None:
        self._settings = settings
        self.source = source

    def __getitem__(self, dotted: str) -> Any:
        node: Any = self._settings
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise PolicyError(f"policy has no setting {dotted!r}")
            node = node[part]
        return node

    def as_dict(self) -> dict[str, Any]:
        return self._settings


def _defaults() -> dict[str, Any]:
    text = files("checks").joinpath("policy.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def _merge(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in base:
            raise PolicyError(f"unknown policy setting {path!r}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise PolicyError(f"policy setting {path!r} must be a mapping")
            merged[key] = _merge(base[key], value, path)
        elif isinstance(base[key], list):
            # Every list of the policy is one of text (states, words, patterns): another item
            # would reach a check as a TypeError, after the chassis was contacted.
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise PolicyError(f"policy setting {path!r} must be a list of text")
            merged[key] = value
        elif not _same_kind(base[key], value):
            raise PolicyError(
                f"policy setting {path!r} must be {type(base[key]).__name__}, got {value!r}"
            )
        else:
            merged[key] = value
    return merged


def _same_kind(default: Any, value: Any) -> bool:
    """An override has the default's type; a whole number may stand for a float."""
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


# Bounds beyond "a finite number, not below zero", which holds for every number.
_BOUNDS: dict[str, tuple[float, float]] = {
    "collection.connect_timeout": (0.1, 3600), "collection.auth_timeout": (0.1, 3600),
    "collection.command_timeout": (0.1, 3600), "collection.show_tech_timeout": (1, 86400),
    "collection.show_tech_max_mb": (1, 4000),
    "collection.retries": (0, 10), "collection.retry_delay": (0, 600),
    "collection.max_auth_failures": (1, 10),
    "operational.cpu.max_percent": (0, 100), "operational.memory.min_free_percent": (0, 100),
    "operational.logging.max_severity": (0, 7),
    "operational.logging.family_max_severity": (0, 7),
    # The program's text says 7 business days in one place and 10 in another: never fewer.
    "program.notice_business_days_elsewhere": (7, 60),
}
_REGEXES = ("hardware.serial_pattern",)


def _validate(settings: dict[str, Any], where: str = "") -> None:
    """Every number finite and in range, every pattern a valid regex: checked once at load,
    so a bad value is one clear error before any chassis is contacted."""
    for key, value in settings.items():
        path = f"{where}.{key}" if where else str(key)
        if isinstance(value, dict):
            _validate(value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = _BOUNDS.get(path, (0, math.inf))
            if not math.isfinite(value) or not low <= value <= high:
                shown = f"from {low:g}" + (f" to {high:g}" if math.isfinite(high) else "")
                raise PolicyError(f"policy setting {path!r} must be a number {shown}, "
                                  f"got {value!r}")
        elif path in _REGEXES:
            try:
                re.compile(value)
            except re.error as exc:
                raise PolicyError(f"policy setting {path!r} is not a valid regex: {exc}") from None


def load_policy(path: Path | None = None) -> Policy:
    defaults = _defaults()
    if path is None:
        return Policy(defaults)
    override = read_yaml(path, f"policy file {path}", PolicyError) or {}
    if not isinstance(override, dict):
        raise PolicyError(f"policy file {path} must hold a mapping of settings")
    merged = _merge(defaults, override, "")
    _validate(merged)
    return Policy(merged, source=str(path))
