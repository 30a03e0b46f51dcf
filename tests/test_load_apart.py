"""An inventory read from files is loaded in a child process and handed back pickled
(`hosts.load_apart`): the same hosts as loaded in the run's own process, the same errors, and
the loader's garbage left in the child. Each case runs in a fresh process, where no thread of
another test can make it load in-process."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mock_devices import plan_lab
from mock_devices.lab import write_inventory
from tests.fresh import fresh_json


def _lab_inventory(folder: Path, count: int) -> Path:
    specs = [dataclasses.replace(spec, port=20000 + i)
             for i, spec in enumerate(plan_lab(count, "mix"))]
    write_inventory(specs, folder)
    return folder


_LOAD_BOTH_WAYS = """
import json, os, sys
from pathlib import Path
from inspector import hosts
from inspector.hosts import Source, load_hosts
from nornir.init_nornir import load_inventory

folder = Path(sys.argv[1])
pids = []
def traced(config):
    pids.append(os.getpid())  # seen only here when the load ran here
    return load_inventory(config)
options = {"host_file": str(folder / "hosts.yaml"), "group_file": str(folder / "groups.yaml"),
           "defaults_file": str(folder / "defaults.yaml")}
apart = load_hosts(Source("inventory", folder), 2).inventory
loaded_here = hosts._init_nornir(2, inventory={"plugin": "SimpleInventory", "options": options})
here = loaded_here.inventory
hosts.load_apart(traced, loaded_here.config)
# Credentials given to the run go to the defaults after the load, and reach every host that
# has none of its own: hosts that kept what they inherit, not a copy of it.
loaded = {"apart": apart.dict(), "here": here.dict()}
apart.defaults.username = here.defaults.username = "given"
inherit = [h.username for h in apart.hosts.values()] == [h.username for h in here.hosts.values()]
print(json.dumps({**loaded,
                  "pids_here": pids, "inherit": inherit,
                  "given": sorted({h.username for h in apart.hosts.values()}),
                  "groups_shared": all(h.groups[0] is apart.groups[h.groups[0].name]
                                       for h in apart.hosts.values()),
                  "defaults_shared": all(h.defaults is apart.defaults
                                         for h in apart.hosts.values())}))
"""


def test_hosts_loaded_apart_are_the_hosts_loaded_here(tmp_path: Path) -> None:
    folder = _lab_inventory(tmp_path / "inventory", 60)
    found = fresh_json(_LOAD_BOTH_WAYS, str(folder))
    assert found["apart"] == found["here"]
    assert len(found["apart"]["hosts"]) == 60
    assert found["pids_here"] == []  # the traced load ran in the child
    assert found["inherit"] and found["given"] == ["given"]
    # One group and one defaults object for every host, as Nornir builds them.
    assert found["groups_shared"] and found["defaults_shared"]


_CASES = """
import json, os, threading
from inspector.hosts import InventoryError, LoadFailed, load_apart

parent = os.getpid()
out = {}
out["pid"] = load_apart(lambda config: os.getpid(), None) != parent

def refuses(config):
    raise ValueError("line 3: not a host")
try:
    load_apart(refuses, None)
except LoadFailed as exc:
    out["failed"] = [exc.name, str(exc)]

calls = []
def unpicklable(config):
    calls.append(os.getpid())
    return (os.getpid(), lambda: None)
out["unpicklable_here"] = load_apart(unpicklable, None)[0] == parent and calls == [parent]

try:
    load_apart(lambda config: os._exit(3), None)
except InventoryError as exc:
    out["died"] = str(exc)

# `meanwhile` runs here while the child loads: the child waits for what it makes.
import tempfile, time
mark = os.path.join(tempfile.mkdtemp(), "made-meanwhile")
def waits_for_mark(config):
    deadline = time.monotonic() + 10
    while not os.path.exists(mark) and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.path.exists(mark)
def make_mark():
    open(mark, "w").close()
out["overlapped"] = load_apart(waits_for_mark, None, meanwhile=make_mark)

# A failing `meanwhile` is the error, and the child, though it has more to send than a pipe
# holds, is gone once it is raised.
def fails():
    raise RuntimeError("no netmiko")
try:
    load_apart(lambda config: "x" * 1_000_000, None, meanwhile=fails)
except RuntimeError as exc:
    out["meanwhile_failed"] = str(exc)
try:
    os.waitpid(-1, os.WNOHANG)
    out["child_left"] = True
except ChildProcessError:
    out["child_left"] = False

stop = threading.Event()
thread = threading.Thread(target=stop.wait)
thread.start()
ran = []
out["with_a_thread_here"] = load_apart(lambda config: (os.getpid(), list(ran)), None,
                                       meanwhile=lambda: ran.append(1)) == (parent, [1])
stop.set()
thread.join()
print(json.dumps(out))
"""


def test_errors_a_dead_loader_objects_that_do_not_pickle_threads_and_meanwhile() -> None:
    found = fresh_json(_CASES)
    assert found["pid"] is True  # loaded in another process
    assert found["failed"] == ["ValueError", "line 3: not a host"]
    assert found["unpicklable_here"] is True  # loaded again, here
    assert found["died"] == "the inventory's loader stopped before it was done (exit status 3)"
    assert found["overlapped"] is True  # `meanwhile` ran while the child was loading
    assert found["meanwhile_failed"] == "no netmiko"
    assert found["child_left"] is False
    # No fork beside another thread: `meanwhile`, then the load, here.
    assert found["with_a_thread_here"] is True


def test_a_bad_hosts_file_is_the_same_error_as_loaded_here(tmp_path: Path) -> None:
    (tmp_path / "hosts.yaml").write_text("r1:\n  hostname: [unclosed\n")
    code = f"""
import json
from pathlib import Path
from inspector import hosts
from inspector.hosts import InventoryError, Source, load_hosts
messages = []
try:
    load_hosts(Source("inventory", Path({str(tmp_path)!r})), 2)
except InventoryError as exc:
    messages.append(str(exc))
try:
    hosts._init_nornir(2, inventory={{"plugin": "CheckedSimpleInventory", "options": {{
        "host_file": {str(tmp_path / "hosts.yaml")!r},
        "group_file": {str(tmp_path / "groups.yaml")!r},
        "defaults_file": {str(tmp_path / "defaults.yaml")!r}}}}})
except InventoryError as exc:
    messages.append(str(exc))
print(json.dumps(messages))
"""
    apart, here = fresh_json(code)
    assert apart == f"could not load the inventory in {tmp_path}: {here}"
    assert here.startswith("hosts.yaml is not valid YAML: ") and "\n" not in here, here


_MEMORY = """
import gc, json, sys
from pathlib import Path
from inspector import hosts
from inspector.collect import load_netmiko
import nornir.plugins.inventory.simple, nornir_netmiko.connections  # imports, before measuring
load_netmiko()
def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
folder = Path(sys.argv[1])
gc.collect()
before = rss()
nornir = hosts._init_nornir(2, apart=sys.argv[2] == "apart", inventory={
    "plugin": "SimpleInventory", "options": {"host_file": str(folder / "hosts.yaml"),
    "group_file": str(folder / "groups.yaml"), "defaults_file": str(folder / "defaults.yaml")}})
gc.collect()
print(json.dumps({"hosts": len(nornir.inventory.hosts), "kb": rss() - before}))
"""


def test_the_loaders_garbage_stays_in_the_child(tmp_path: Path) -> None:
    if not Path("/proc/self/status").is_file():
        import pytest

        pytest.skip("RSS is read from /proc")
    folder = _lab_inventory(tmp_path / "inventory", 5000)
    grown = {}
    for way in ("apart", "here"):
        found = fresh_json(_MEMORY, str(folder), way)
        assert found["hosts"] == 5000
        grown[way] = found["kb"]
    # Measured: about 8 MB apart against 50 MB here for 5000 hosts.
    assert grown["apart"] * 3 < grown["here"], grown


def test_netmiko_failing_to_import_beside_the_loader_is_not_called_the_inventorys_error(
        tmp_path: Path) -> None:
    folder = _lab_inventory(tmp_path / "inventory", 3)
    code = """
import json, sys
sys.modules["netmiko"] = None  # as if it were not installed: importing it fails
from pathlib import Path
from inspector.hosts import Source, load_hosts
try:
    load_hosts(Source("inventory", Path(sys.argv[1])), 2)
except Exception as exc:
    print(json.dumps(type(exc).__name__))
"""
    assert fresh_json(code, str(folder)) == "ModuleNotFoundError"
