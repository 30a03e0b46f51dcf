"""The hosts of a run, from wherever the engineers keep them, narrowed by the user's filters.

Four sources: a Nornir SimpleInventory folder, the buyer's checklist (CSV), a Nornir
configuration file (any inventory plugin and transform function: NetBox, Nautobot, a
spreadsheet), and a pyATS testbed read by pyATS's own loader. Every one ends as a Nornir
object whose hosts are checked before any device is contacted.

Apart from the run so that the checklist, which also builds an inventory, needs no engine.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import os
import pickle
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.collect import load_netmiko
from inspector.files import ascii_number
from inspector.platforms import PLATFORMS
from inspector.sources import InventoryError as InventoryError  # raised by its plugins too

# The kinds of source, as the run remembers them and as the CLI names them.
SOURCE_OPTIONS = {"inventory": "--inventory", "checklist": "--checklist",
                  "nornir_config": "--nornir-config", "testbed": "--testbed"}


@dataclass(frozen=True)
class Source:
    """Where a run's hosts come from; saved in run.json so a resume or a live rerun reloads
    the same hosts without the flag repeated."""

    kind: str  # a key of SOURCE_OPTIONS
    path: Path

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "path": str(self.path.resolve())}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Source:
        if data.get("kind") not in SOURCE_OPTIONS or not isinstance(data.get("path"), str):
            raise InventoryError(f"not an inventory source: {dict(data)!r}")
        return cls(str(data["kind"]), Path(data["path"]))


def load_hosts(source: Source, workers: int) -> Any:
    """The Nornir object of `source`, its hosts checked (see `check_hosts`)."""
    if source.kind == "checklist":
        from inspector.checklist import checklist_inventory

        # Loaded exactly as `--inventory` loads a folder, so the two ways in can never
        # disagree about what a host holds; SimpleInventory reads its files once, at load,
        # so the throwaway folder can go at once.
        with checklist_inventory(source.path) as folder:
            nornir = load_nornir(folder, workers)
    elif source.kind == "inventory":
        nornir = load_nornir(source.path, workers)
    else:
        if not os.path.lexists(source.path):  # else its reader says why it cannot read it
            raise InventoryError(f"{SOURCE_OPTIONS[source.kind]} {source.path}: no such file")
        if source.kind == "testbed":  # its files are read and checked by the plugin
            nornir = _init_nornir(workers, inventory={
                "plugin": "PyatsTestbed", "options": {"testbed": str(source.path)}})
        else:
            from inspector.files import read_yaml

            settings = read_yaml(source.path, str(source.path), InventoryError)
            if not isinstance(settings, dict):  # Nornir's own reading fails on `.get`
                raise InventoryError(
                    f"{source.path} is empty" if settings is None else
                    f"{source.path} must be a mapping of Nornir's settings (inventory:, ...), "
                    f"not {type(settings).__name__}")
            _register_named_by_path(source.path, settings)
            _require_shallow_simple_inventory(source.path, settings)
            nornir = _init_nornir(workers, config_file=str(source.path))
    check_hosts(nornir)
    return nornir


def _require_shallow_simple_inventory(config: Path, settings: Mapping[str, Any]) -> None:
    """Nornir's own SimpleInventory, named by a configuration file, reads its files with
    ruamel's C parser in this process, which a file nested some 25,000 levels deep crashes
    (signal 11, not a word said): each of its files is measured first, as
    CheckedSimpleInventory's are, and one too deep is a line naming it. They are read as
    UTF-8, as every inventory file is: an `encoding` option naming another (UTF-16, Latin-1)
    is refused, as files in it would be by `--inventory`, rather than left unmeasured."""
    import codecs

    from inspector.files import read_yaml, require_shallow_yaml

    inventory = settings.get("inventory") or {}
    if not isinstance(inventory, dict) or inventory.get("plugin",
                                                        "SimpleInventory") != "SimpleInventory":
        return
    options = inventory.get("options") or {}
    if not isinstance(options, dict):
        return
    encoding = options.get("encoding", "utf-8")
    try:
        codec = codecs.lookup(str(encoding)).name
    except LookupError:
        codec = None
    if codec not in ("utf-8", "utf-8-sig"):  # a byte order mark is skipped by both readers
        raise InventoryError(f"{config}: SimpleInventory's encoding {encoding!r}: inventory "
                             "files are read as UTF-8 only, as --inventory's are; save them "
                             "as UTF-8 and leave the option out")
    for key, default in (("host_file", "hosts.yaml"), ("group_file", "groups.yaml"),
                         ("defaults_file", "defaults.yaml")):
        path = Path(str(options.get(key, default))).expanduser()  # as SimpleInventory finds it
        if path.is_file():
            read_yaml(path, str(path), InventoryError, load=require_shallow_yaml)


def load_nornir(inventory: Path, workers: int) -> Any:
    for name in ("hosts.yaml",):
        if not os.path.lexists(inventory / name):  # else its reader says why it cannot read it
            raise InventoryError(f"{inventory} is not a Nornir inventory: {name} is missing")
    options = {f"{kind}_file": str(inventory / f"{kind}s.yaml") for kind in ("host", "group")}
    options["defaults_file"] = str(inventory / "defaults.yaml")
    try:
        return _init_nornir(workers, apart=True,
                            inventory={"plugin": "CheckedSimpleInventory", "options": options})
    except InventoryError as exc:
        raise InventoryError(f"could not load the inventory in {inventory}: {exc}") from None


def _init_nornir(workers: int, config_file: str = "", apart: bool = False,
                 **settings: Any) -> Any:
    """Nornir with the inspector's own runner (interruptible, `workers` at once) whatever a
    configuration file says, and without Nornir's log file.

    What `InitNornir` does, but with netmiko as the one connection plugin: `InitNornir` imports
    every connection plugin installed, and `nornir_napalm` imports all of NAPALM's drivers
    (Junos, EOS: about 40 MB and a second of the run's start) into a process that only ever
    connects through netmiko. `apart`: the inventory is loaded in a child process
    (`load_apart`)."""
    from nornir.core import Nornir
    from nornir.core.configuration import Config
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.core.state import GlobalState
    from nornir.init_nornir import load_inventory, load_runner

    register_plugins()
    settings = {**settings, "logging": {"enabled": False},
                "runner": {"plugin": "inspector", "options": {"num_workers": workers}}}
    try:
        config = (Config.from_file(config_file, **settings) if config_file
                  else Config.from_dict(**settings))
        if apart:  # netmiko is imported here while the child loads: two cores, two steps
            inventory = load_apart(load_inventory, config, meanwhile=_load_netmiko_if_it_can)
        else:
            inventory = load_inventory(config)
        runner = load_runner(config)
    except Exception as exc:  # a plugin's own error, whatever its class: one line, exit 3
        where = f"{config_file}: " if config_file else ""
        name = exc.name if isinstance(exc, LoadFailed) else type(exc).__name__
        # The inspector's own says what is wrong without its class's name.
        shown = str(exc) if name == InventoryError.__name__ else f"{name}: {exc}"
        raise InventoryError(f"{where}{shown}") from exc
    # Done at once where it was imported beside the loader; a failure to import it (raised
    # again here) is the installation's, not the inventory's.
    load_netmiko()
    from nornir_netmiko.connections import Netmiko

    ConnectionPluginRegister.register("netmiko", Netmiko)
    return Nornir(inventory=inventory, runner=runner, config=config, data=GlobalState())


def _load_netmiko_if_it_can() -> None:
    # Its failure waits for the import after the load, which raises it as itself.
    with contextlib.suppress(ImportError):
        load_netmiko()


def load_apart(load: Callable[[Any], Any], config: Any,
               meanwhile: Callable[[], None] | None = None) -> Any:
    """`load(config)` (Nornir's `load_inventory`) run in a child process, its inventory
    handed back pickled; `meanwhile()` runs in this process as the child loads (before the
    load, where it loads here).

    Reading a hosts.yaml leaves its garbage behind: ruamel composes the whole file as a tree
    of nodes, and the strings the hosts keep are allocated among them. Once the tree is
    freed, those strings pin its memory: the allocator cannot give it back, and reuses it
    only in part. The lab's 10,000 hosts took 100 MB of this process's RSS; unpickled here,
    they take 16 MB.
    A loader's error comes back as its class name and text (`LoadFailed`).

    Used for the inventories the inspector reads from files (a SimpleInventory folder, a
    checklist), whose hosts are YAML's plain values; a third-party plugin loads in this
    process, as its own objects in its hosts (pynautobot's records) may not pickle, and a
    second load would ask its source of truth twice. Loaded in this process too where a fork
    is not safe or not there (another thread runs, or no `os.fork`), and where the inventory
    does not pickle after all."""
    def load_here() -> Any:
        if meanwhile is not None:
            meanwhile()
        return load(config)

    if not hasattr(os, "fork") or threading.active_count() > 1:
        return load_here()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the child's exit would write what this process had buffered
    reading, writing = os.pipe()
    try:
        child = os.fork()
    except OSError:  # no process to spare (a process limit, memory): load here
        os.close(reading)
        os.close(writing)
        return load_here()
    if child == 0:  # the child: load, send, leave without the parent's teardown
        status = 1
        try:
            os.close(reading)
            try:
                loaded = load(config)
            except Exception as exc:
                sent = pickle.dumps(("failed", (type(exc).__name__, str(exc))))
            else:
                try:
                    sent = _pickled_as_held(("loaded", loaded))
                except Exception:  # PicklingError, RecursionError: whatever an object raises
                    sent = pickle.dumps(("unpicklable", None))
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(sent)
            status = 0
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(status)
    os.close(writing)
    try:
        with os.fdopen(reading, "rb") as from_child:
            if meanwhile is not None:
                # Should it fail, the pipe is closed before the wait: a child still writing
                # gets a broken pipe and leaves, rather than waiting for a reader forever.
                meanwhile()
            received = from_child.read()
    finally:
        _, status = os.waitpid(child, 0)
    if not received:  # killed, or a plugin that left the interpreter
        code = os.waitstatus_to_exitcode(status)
        raise InventoryError("the inventory's loader stopped before it was done ("
                             + (f"signal {-code})" if code < 0 else f"exit status {code})"))
    outcome, value = pickle.loads(received)
    if outcome == "unpicklable":
        return load(config)  # `meanwhile` ran
    if outcome == "failed":
        raise LoadFailed(*value)
    return value


def _pickled_as_held(value: Any) -> bytes:
    """`value` pickled with Nornir's hosts, groups and defaults as they hold their fields.

    A host answers `username`, `password`, `platform`, `hostname` and `port` from its groups
    or the defaults when it has none of its own (`Host.__getattribute__`); pickle's own way
    reads the answer and would give the host a copy of its own, which a later change to the
    defaults (the credentials a run is given) would then no longer reach."""
    from nornir.core.inventory import BaseAttributes

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if not isinstance(obj, BaseAttributes):
                return NotImplemented
            held = {}
            for cls in type(obj).__mro__:
                for name in getattr(cls, "__slots__", ()):
                    with contextlib.suppress(AttributeError):
                        held[name] = object.__getattribute__(obj, name)
            return copyreg.__newobj__, (type(obj),), held, None, None, _hold  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    Pickler(buffer, pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _hold(obj: Any, held: dict[str, Any]) -> None:
    for name, value in held.items():
        object.__setattr__(obj, name, value)


class LoadFailed(Exception):
    """An inventory loader's error, raised in the child process that ran it."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name


class CheckedSimpleInventory:
    """Nornir's SimpleInventory (`--inventory DIR`, a checklist's hosts), its files checked
    as they are read: what Nornir's would stop at with a traceback or a bare KeyError (a host
    or a file that is not a mapping, `groups` naming a group groups.yaml lacks, a file that
    is not UTF-8 or YAML) is one line naming the file and the host or group. The same
    YAML reader (ruamel's, safe) and the same objects as SimpleInventory's."""

    def __init__(self, host_file: str, group_file: str, defaults_file: str) -> None:
        self.files = {"host": Path(host_file), "group": Path(group_file),
                      "defaults": Path(defaults_file)}

    def load(self) -> Any:
        from nornir.core.inventory import Group, Groups, Host, Hosts, Inventory, ParentGroups
        from nornir.plugins.inventory.simple import _get_defaults, _get_inventory_element

        documents = {kind: self._read(kind) for kind in self.files}
        defaults = _get_defaults(self._settings(documents["defaults"], "defaults",
                                                "the defaults", {}))
        found: dict[str, Any] = {"group": Groups(), "host": Hosts()}
        for kind, element in (("group", Group), ("host", Host)):
            for name, settings in documents[kind].items():
                if not isinstance(name, str):
                    raise InventoryError(f"{self.files[kind].name}: {kind} name {name!r} must "
                                         "be text (quote it in YAML)")
                found[kind][name] = _get_inventory_element(
                    element, self._settings(settings, kind, f"{kind} {name!r}",
                                            documents["group"]), name, defaults)
        groups = found["group"]
        for item in (*groups.values(), *found["host"].values()):
            item.groups = ParentGroups([groups[g] for g in item.groups])  # names, until now
        return Inventory(hosts=found["host"], groups=groups, defaults=defaults)

    def _read(self, kind: str) -> dict[Any, Any]:
        from inspector.files import load_yaml_in_c, read_yaml

        path = self.files[kind]
        # Only a file that is not there is none: one that cannot be read (a folder, a link
        # to nothing or to itself) is said so, not taken for no groups or no defaults.
        if kind != "host" and not os.path.lexists(path):
            return {}
        document = read_yaml(path, path.name, InventoryError, load=load_yaml_in_c) or {}
        if not isinstance(document, dict):
            raise InventoryError(f"{path.name} must be a mapping of names to settings, not "
                                 f"{type(document).__name__}")
        return document

    def _settings(self, settings: Any, kind: str, named: str,
                  groups: Mapping[Any, Any]) -> Any:
        """`settings` of a host, a group or the defaults, as SimpleInventory takes them."""
        file = self.files[kind].name
        if not isinstance(settings, dict):
            raise InventoryError(f"{file}: {named} has no settings" if settings is None
                                 else f"{file}: {named} must be a mapping of settings, not "
                                      f"{type(settings).__name__}")
        parents = settings.get("groups") or []
        if not isinstance(parents, list):
            raise InventoryError(f"{file}: {named}: groups must be a list of group names, "
                                 f"not {type(parents).__name__}")
        for parent in parents:
            if not isinstance(parent, str) or parent not in groups:
                raise InventoryError(f"{file}: {named}: group {parent!r} is not in "
                                     f"{self.files['group'].name}")
        options = settings.get("connection_options", {})
        if not isinstance(options, dict) or not all(isinstance(o, dict)
                                                     for o in options.values()):
            raise InventoryError(f"{file}: {named}: connection_options must be a mapping of "
                                 "connection names to mappings")
        return settings


def register_plugins() -> None:
    """The inspector's inventory plugins and transform function, under the names a Nornir
    configuration file uses (also declared as entry points for other Nornir programs; the
    checked SimpleInventory is the inspector's own way to read a folder)."""
    from nornir.core.plugins.inventory import InventoryPluginRegister, TransformFunctionRegister

    from inspector.sources import PyatsTestbed, source_of_truth

    InventoryPluginRegister.register("CheckedSimpleInventory", CheckedSimpleInventory)
    InventoryPluginRegister.register("PyatsTestbed", PyatsTestbed)
    TransformFunctionRegister.register("inspector_source_of_truth", source_of_truth)


def _register_named_by_path(config_file: Path, settings: Mapping[str, Any]) -> None:
    """Let a configuration file name a plugin that declares no entry point (nornir_csv's
    CsvInventory, say) by its import path, `package.module:Class`: Nornir itself knows
    plugins by registered name only."""
    import importlib

    from nornir.core.plugins.inventory import InventoryPluginRegister, TransformFunctionRegister

    inventory = settings.get("inventory")
    if not isinstance(inventory, dict):
        return
    for key, register in (("plugin", InventoryPluginRegister),
                          ("transform_function", TransformFunctionRegister)):
        name = inventory.get(key)
        if not isinstance(name, str) or ":" not in name or name in register.available:
            continue
        module, _, attribute = name.partition(":")
        try:
            found = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as exc:
            raise InventoryError(f"{config_file}: inventory {key} {name!r} cannot be "
                                 f"imported: {exc}") from None
        # Nornir calls a plugin with the file's options: anything callable would be called
        # (`subprocess:run` ran a command), where only an inventory class that loads is meant.
        if key == "plugin" and not (isinstance(found, type) and callable(getattr(found, "load",
                                                                                None))):
            raise InventoryError(f"{config_file}: inventory plugin {name!r} is not an inventory "
                                 "plugin (a class with a `load` method)")
        register.register(name, found)


def check_hosts(nornir: Any) -> None:
    """Raise InventoryError naming the first host whose address, port, platform or
    credentials no session could use: a typo in a YAML file ends the run before any device
    is contacted, never as a traceback or a retried connection."""
    inventory = nornir.inventory
    if not inventory.hosts:  # before any filter: "no host matches the filters" would mislead
        raise InventoryError("the inventory lists no hosts")
    _check_shape("defaults", inventory.defaults)
    checked: set[int] = set()
    for host in inventory.hosts.values():
        # Shapes first: Nornir looks a host's settings up through its groups and data.
        _check_parents(host, f"host {host.name!r}", (), checked)
        _check_shape(f"host {host.name!r}", host)
        extras = host.get_connection_parameters("netmiko").extras or {}
        fields: dict[str, Any] = {
            "hostname": host.hostname, "platform": host.platform, "username": host.username,
            "password": host.password, "secret": extras.get("secret")}
        for name, value in fields.items():
            if value is not None and not isinstance(value, str):
                raise InventoryError(
                    f"host {host.name!r}: {name} must be text, not {type(value).__name__} "
                    f"{_shown(name, value)} (quote it in YAML)")
        if host.platform in PLATFORMS and not host.hostname:  # a host the run would contact
            raise InventoryError(f"host {host.name!r}: no address (hostname) to reach it at")
        port = host.port
        if isinstance(port, str) and (number := ascii_number(port.strip())) is not None:
            port = host.port = number  # CSV and table plugins read every cell as text
        if port is not None and (isinstance(port, bool) or not isinstance(port, int)
                                 or not 1 <= port <= 65535):
            raise InventoryError(f"host {host.name!r}: port must be a number from 1 to 65535, "
                                 f"not {port!r}")


def _check_parents(element: Any, where: str, path: tuple[str, ...], checked: set[int]) -> None:
    """Each group above `element`, once: its shape, and that it does not include itself
    (Nornir would look a setting up through it without end)."""
    for group in element.groups:
        if group.name in path:
            through = path[path.index(group.name) + 1:]
            raise InventoryError(f"{where}: group {group.name!r} includes itself"
                                 + (f" through {', '.join(map(repr, through))}"
                                    if through else ""))
        if id(group) not in checked:
            _check_parents(group, where, (*path, group.name), checked)
            _check_shape(f"group {group.name!r}", group)
            checked.add(id(group))


def _check_shape(where: str, element: Any) -> None:
    """The sections Nornir reads as mappings are mappings (a host, a group, the defaults)."""
    if not isinstance(element.data, Mapping):
        raise InventoryError(f"{where}: data must be a mapping, not "
                             f"{type(element.data).__name__}")
    for name, options in element.connection_options.items():
        if options.extras is not None and not isinstance(options.extras, Mapping):
            raise InventoryError(f"{where}: connection_options.{name}.extras must be a "
                                 f"mapping, not {type(options.extras).__name__}")


def _shown(name: str, value: Any) -> str:
    return "(not shown)" if name in ("password", "secret") else repr(value)


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
