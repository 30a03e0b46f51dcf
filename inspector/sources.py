"""Nornir plugins for the sources engineers keep their devices in: a pyATS testbed (an
inventory plugin) and a source of truth such as NetBox or Nautobot (a transform function that
maps its platform slugs to netmiko device types and lifts the checklist's fields out of its
custom fields). Both are named in a Nornir configuration file as any other plugin is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from inspector.platforms import PLATFORMS


class InventoryError(ValueError):
    """The inventory could not be loaded, or holds what no session could use."""


# The checklist's fields a host's inventory data may declare (see inspector.checklist).
DECLARED_FIELDS = ("site", "country", "declared_pid", "declared_serial", "condition",
                   "license_proof", "transfer_exception")

# Platform slugs and names of NetBox and Nautobot, normalized (lower case, `-` for `_` and
# spaces), to netmiko device types. Nautobot 2's network drivers are netmiko's own names.
# Override or extend per site with the transform's `platform_slugs` option.
PLATFORM_SLUGS: dict[str, str] = {
    **{name.replace("_", "-"): name for name in PLATFORMS},
    "ios": "cisco_ios", "cisco-ios": "cisco_ios",
    "ios-xe": "cisco_xe", "iosxe": "cisco_xe", "cisco-ios-xe": "cisco_xe",
    "cisco-iosxe": "cisco_xe",
    "nxos": "cisco_nxos", "nx-os": "cisco_nxos", "cisco-nx-os": "cisco_nxos",
    "cisco-nxos": "cisco_nxos",
    "iosxr": "cisco_xr", "ios-xr": "cisco_xr", "cisco-ios-xr": "cisco_xr",
    "cisco-iosxr": "cisco_xr",
    "asa": "cisco_asa", "cisco-asa": "cisco_asa",
}

# pyATS's `os` names to netmiko device types: the inverse of what the platforms tell Genie.
_PYATS_OS = {platform.genie_os: name for name, platform in PLATFORMS.items()}


def _slug(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def device_type(platform: str | None, slugs: Mapping[str, str] | None = None) -> str | None:
    """The netmiko device type of a source of truth's platform slug or name; a platform the
    map does not know is kept as it is, so its record says the inspector does not speak it."""
    if platform is None:
        return None
    table = {**PLATFORM_SLUGS, **{_slug(k): v for k, v in (slugs or {}).items()}}
    return table.get(_slug(platform), platform)


def source_of_truth(host: Any, **options: Any) -> None:
    """Nornir transform function (`inspector_source_of_truth`) for NetBox and Nautobot hosts.

    The platform becomes a netmiko device type; the checklist's fields come from the host's
    data, flattened or under `custom_fields`, else from the device's own fields (serial, site
    slug or location name, and the device type's part number where the source lists it:
    Nautobot's does, NetBox's device list does not). nornir_nautobot keeps the device under
    `pynautobot_dictionary`. Its one option, `platform_slugs`, adds to or overrides the map."""
    unknown = set(options) - {"platform_slugs"}
    if unknown:
        raise ValueError(f"inspector_source_of_truth has no option {sorted(unknown)[0]!r}")
    host.platform = device_type(host.platform, options.get("platform_slugs"))
    device = host.data.get("pynautobot_dictionary") or host.data
    custom = device.get("custom_fields") or {}
    native = {
        # Nautobot 2 has locations where NetBox has sites.
        "site": _pick(device, "site", "slug") or _pick(device, "location", "name"),
        "declared_serial": device.get("serial") or None,
        # Not the model: NetBox's device type library names it for people
        # ("Catalyst 9300-48P"); a declared PID compared with the chassis's must be the PID.
        "declared_pid": _pick(device, "device_type", "part_number"),
    }
    for field in DECLARED_FIELDS:
        own = host.data.get(field)
        value = own if own is not None and not isinstance(own, Mapping) else None
        for candidate in (custom.get(field), native.get(field)):
            if value in (None, "") and candidate not in (None, ""):
                value = candidate
        if value is not None:
            host.data[field] = str(value)


def _pick(data: Mapping[str, Any], *path: str) -> str | None:
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return str(node) if isinstance(node, (str, int)) and node != "" else None


class PyatsTestbed:
    """Nornir inventory plugin: the devices of a pyATS testbed, read by pyATS's own loader
    (so `%ENC{}`, `%ASK{}`, `%ENV{}` and `extends:` behave as pyATS users expect).

    A device's `os` gives the netmiko device type (an OS the inspector does not speak stays
    as it is: the chassis gets a record saying so), its `cli` connection the address and
    port, its `default` and `enable` credentials the session's; its `custom:` mapping is the
    host's data (the checklist's fields among it)."""

    def __init__(self, testbed: Any = None, **unknown: Any) -> None:
        # Nornir hands a configuration's `options:` over as these arguments: what is missing,
        # misspelt or not a file name there is said so, not as Python's TypeError.
        plugin = "the PyatsTestbed inventory plugin"
        if unknown:
            raise InventoryError(f"{plugin} has no option {sorted(unknown)[0]!r}: its one "
                                 "option is `testbed`, the testbed file")
        if testbed is None:
            raise InventoryError(f"{plugin} needs the testbed file as its option `testbed` "
                                 "(options: testbed: FILE)")
        if not isinstance(testbed, str):
            raise InventoryError(f"{plugin}'s option `testbed` must name the testbed file, "
                                 f"not {type(testbed).__name__}")
        self.testbed = testbed

    def load(self) -> Any:
        from pyats.utils.exceptions import SchemaError

        # However the testbed is named (`--testbed`, a Nornir configuration), each of its
        # files is read first as every YAML file the user gives is (pyATS's loader is
        # PyYAML's safe one): what stops one is a line naming that file, where pyATS's own
        # error names a file object, spans a parser's eight lines, or quotes a password read
        # as a tag; and a testbed that extends itself, which pyATS follows forever, is refused.
        _read_testbed(Path(self.testbed), ())
        try:
            return self._load()
        except SchemaError as exc:  # its text spells the whole schema out, over many lines
            missing = getattr(exc, "missing_list", None)
            where = ".".join(str(key) for part in exc.path or ()
                             for key in (part if isinstance(part, list) else [part]))
            problem = (f"{', '.join(missing)} missing" if missing
                       else f"{where or 'its top'} is not what the schema allows there")
            raise InventoryError(f"testbed {self.testbed} does not follow pyATS's testbed "
                                 f"schema: {problem}") from None
        except Exception as exc:  # pyATS's own (a markup it cannot resolve): one line
            # Its cause by class alone: a parser's text may quote an included file's secret.
            cause = f" ({type(exc.__cause__).__name__})" if exc.__cause__ is not None else ""
            shown = " ".join(f"{type(exc).__name__}: {exc}{cause}".split())
            raise InventoryError(f"testbed {self.testbed}: {shown}") from None

    def _load(self) -> Any:
        from nornir.core.inventory import (
            ConnectionOptions,
            Defaults,
            Groups,
            Host,
            Hosts,
            Inventory,
        )
        from pyats.topology.loader import load

        defaults = Defaults()
        hosts = Hosts()
        for device in load(self.testbed).devices.values():
            connections = device.connections
            cli: Mapping[str, Any] = connections.get("cli") or next(
                (c for name, c in connections.items() if name != "defaults" and "ip" in c), {})
            credentials = device.credentials or {}
            login = credentials.get("default") or {}
            enable = credentials.get("enable") or {}
            secret = _plain(enable.get("password"))
            hosts[device.name] = Host(
                name=device.name,
                hostname=str(cli["ip"]) if cli.get("ip") is not None else None,
                port=cli.get("port"),
                username=_plain(login.get("username")),
                password=_plain(login.get("password")),
                platform=_PYATS_OS.get(device.os, device.os),
                # pyATS adds its own `abstraction` to every device's custom data.
                data={"pyats_os": device.os, **{k: v for k, v in (device.custom or {}).items()
                                                if k != "abstraction"}},
                connection_options={"netmiko": ConnectionOptions(
                    extras={"secret": secret} if secret is not None else {})},
                defaults=defaults,
            )
        return Inventory(hosts=hosts, groups=Groups(), defaults=defaults)


def _read_testbed(path: Path, extending: tuple[Path, ...]) -> None:
    """Read `path` and every testbed it extends, found as pyATS finds them (as named, else
    beside the file that names them), with `read_yaml`; `extending`: the files that extend
    it, so one named again is a cycle."""
    from inspector.files import read_yaml

    document = read_yaml(path, f"testbed {path}", InventoryError)
    if not isinstance(document, dict):  # pyATS prints a line of its own, then a LoadError
        raise InventoryError(f"testbed {path} is empty" if document is None else
                             f"testbed {path} must be a mapping (devices:, testbed:), not "
                             f"{type(document).__name__}")
    names = document.get("extends") or []
    for name in names if isinstance(names, list) else [names]:
        if not isinstance(name, str):
            raise InventoryError(f"testbed {path}: extends must name testbed files, not "
                                 f"{type(name).__name__}")
        found = next((p for p in (Path(name), path.parent / name) if p.is_file()),
                     path.parent / name)
        if os.path.realpath(found) in {os.path.realpath(p) for p in (*extending, path)}:
            raise InventoryError(f"testbed {path}: extends {name}, which extends it in turn "
                                 "(a cycle)")
        _read_testbed(found, (*extending, path))


def _plain(value: Any) -> Any:
    """A pyATS SecretString as its text (decrypted for `%ENC{}`); anything else as it is, so
    a password written as a number is refused by the inventory check, not sent. Empty is
    none (pyATS reads an unset `%ENV{}` as empty): the environment's login then applies."""
    plaintext = getattr(value, "plaintext", None)
    text = plaintext if plaintext is not None else value
    return None if text == "" else text


def testbed_document(nornir: Any) -> dict[str, Any]:
    """A pyATS testbed of `nornir`'s hosts. Secrets are never written: the login comes from
    INSPECTOR_USERNAME / INSPECTOR_PASSWORD and the enable secret from INSPECTOR_SECRET
    (`%ENV{}`) when pyATS loads it."""
    devices: dict[str, Any] = {}
    for host in nornir.inventory.hosts.values():
        platform = PLATFORMS.get(host.platform or "")
        cli: dict[str, Any] = {"protocol": "ssh", "ip": host.hostname}
        if host.port is not None:
            cli["port"] = host.port
        device: dict[str, Any] = {
            "os": platform.genie_os if platform else host.platform or "generic",
            "type": "chassis",
            "connections": {"cli": cli},
        }
        declared = {f: str(host.get(f)) for f in DECLARED_FIELDS if host.get(f) is not None}
        if declared:
            device["custom"] = declared
        devices[host.name] = device
    return {
        "testbed": {"name": "inspector", "credentials": {
            "default": {"username": "%ENV{INSPECTOR_USERNAME}",
                        "password": "%ENV{INSPECTOR_PASSWORD}"},
            "enable": {"password": "%ENV{INSPECTOR_SECRET}"}}},
        "devices": devices,
    }


# The first line of every testbed the inspector writes: a file without it (a testbed written
# by hand, with its credentials) is never replaced.
TESTBED_MARK = "# Written by `inspector testbed export`"


def write_testbed(nornir: Any, path: Path) -> Path:
    from inspector.files import atomic_write

    if path.is_dir() or path.exists() and not path.read_bytes().startswith(
            TESTBED_MARK.encode()):
        raise FileExistsError(f"refusing to replace {path}: it was not written by "
                              "`inspector testbed export`")
    text = yaml.safe_dump(testbed_document(nornir), sort_keys=False, default_flow_style=False)
    atomic_write(path, f"{TESTBED_MARK}; edits here are lost on the next export.\n{text}"
                 .encode())
    return path
