"""The hosts of a run, from a Nornir SimpleInventory folder, narrowed by the user's filters.

Apart from the run so that the checklist, which also builds an inventory, needs no engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector.collect import load_netmiko


class InventoryError(ValueError):
    """The inventory could not be loaded."""


def load_nornir(inventory: Path, workers: int) -> Any:
    from nornir import InitNornir

    load_netmiko()
    for name in ("hosts.yaml",):
        if not (inventory / name).is_file():
            raise InventoryError(f"{inventory} is not a Nornir inventory: {name} is missing")
    options = {"host_file": str(inventory / "hosts.yaml")}
    for key, name in (("group_file", "groups.yaml"), ("defaults_file", "defaults.yaml")):
        if (inventory / name).is_file():
            options[key] = str(inventory / name)
    try:
        return InitNornir(
            runner={"plugin": "inspector", "options": {"num_workers": workers}},
            inventory={"plugin": "SimpleInventory", "options": options},
            logging={"enabled": False},
        )
    except Exception as exc:
        raise InventoryError(f"could not load the inventory in {inventory}: {exc}") from exc


def apply_filters(nornir: Any, filters: dict[str, str]) -> Any:
    """`name=R1`, `platform=cisco_xe`, `site=lab`: match the host's name, attribute or data."""
    def matches(host: Any) -> bool:
        for key, wanted in filters.items():
            value = host.name if key in ("name", "hostname") else getattr(host, key, None)
            if value is None or key not in ("name", "hostname", "platform", "port"):
                value = host.get(key)
            if str(value) != wanted:
                return False
        return True

    return nornir.filter(filter_func=matches) if filters else nornir
