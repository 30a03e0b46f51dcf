"""Thresholds and state vocabularies: defaults in `checks/policy.yaml`, overridable per run.

An override file may only change settings that exist, so a typo is an error rather than a
silently ignored threshold.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml


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
        elif isinstance(base[key], list) and not isinstance(value, list):
            raise PolicyError(f"policy setting {path!r} must be a list")
        elif isinstance(base[key], bool) != isinstance(value, bool) or (
            isinstance(base[key], (int, float)) and not isinstance(value, (int, float))
        ):
            raise PolicyError(
                f"policy setting {path!r} must be {type(base[key]).__name__}, got {value!r}"
            )
        else:
            merged[key] = value
    return merged


def load_policy(path: Path | None = None) -> Policy:
    defaults = _defaults()
    if path is None:
        return Policy(defaults)
    try:
        override = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PolicyError(f"policy file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"policy file {path} is not valid YAML: {exc}") from None
    if not isinstance(override, dict):
        raise PolicyError(f"policy file {path} must hold a mapping of settings")
    return Policy(_merge(defaults, override, ""), source=str(path))
