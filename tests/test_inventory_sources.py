"""Inventories where engineers keep them: a pyATS testbed, any Nornir configuration file (a
third-party CSV plugin among them), NetBox and Nautobot hosts through the source-of-truth
transform; the run remembers its source; bad inventory input ends with one line and exit 3
before any device is contacted."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.hosts import InventoryError, Source, load_hosts
from mock_devices import plan_lab, running_lab
from mock_devices.lab import LAB_PASSWORD, LAB_SECRET, LAB_USERNAME
from tests.fresh import fresh_json
from tests.lab_run import inspector, records

CHECK = "hw.psu.status"  # one check keeps each lab run short
LOGIN = {"INSPECTOR_USERNAME": LAB_USERNAME, "INSPECTOR_PASSWORD": LAB_PASSWORD,
         "INSPECTOR_SECRET": LAB_SECRET}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("sources")
    specs = plan_lab(3, "healthy")
    with running_lab(specs, inventory_out=tmp / "inventory"):
        yield {"specs": specs, "inventory": tmp / "inventory",
               "env": {**LOGIN, "INSPECTOR_KEY": str(tmp / "key.pem")}}


def _run(lab: dict[str, Any], out: Path, *source: str) -> Any:
    return inspector("run", *source, "--check", CHECK, "--no-show-tech", "--out", str(out),
                     "--run-id", "r", "--workers", "3", env=lab["env"])


@pytest.mark.lab
def test_a_testbed_exported_from_the_lab_loads_in_pyats_and_is_inspected(
        lab: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyats.topology.loader import load

    from inspector.platforms import PLATFORMS

    testbed = tmp_path / "testbed.yaml"
    done = inspector("testbed", "export", "--inventory", str(lab["inventory"]),
                     "--out", str(testbed))
    assert done.returncode == 0, done.stderr
    assert LAB_PASSWORD not in testbed.read_text() and LAB_SECRET not in testbed.read_text()
    for name, value in LOGIN.items():
        monkeypatch.setenv(name, value)
    devices = load(str(testbed)).devices
    assert {name: (d.os, d.connections.cli.port) for name, d in devices.items()} == {
        s.hostname: (PLATFORMS[s.device_type].genie_os, s.port) for s in lab["specs"]}
    assert devices[lab["specs"][0].hostname].credentials.default.password.plaintext \
        == LAB_PASSWORD

    # Exported again over its own file, it is replaced; over a testbed written by hand, never.
    again = inspector("testbed", "export", "--inventory", str(lab["inventory"]),
                      "--out", str(testbed))
    assert again.returncode == 0, again.stderr
    by_hand = tmp_path / "site.yaml"
    by_hand.write_text("testbed:\n  name: site\n")
    refused = inspector("testbed", "export", "--inventory", str(lab["inventory"]),
                        "--out", str(by_hand))
    assert refused.returncode == 3 and refused.stderr.strip() == (
        f"inspector: refusing to replace {by_hand}: it was not written by "
        "`inspector testbed export`"), refused.stderr
    assert by_hand.read_text() == "testbed:\n  name: site\n"

    done = _run(lab, tmp_path / "out", "--testbed", str(testbed))
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = tmp_path / "out" / "r"
    found = records(run_dir)
    assert {r["chassis"]["hostname"]: r["verdict"] for r in found.values()} == {
        s.hostname: "PASS" for s in lab["specs"]}
    assert json.loads((run_dir / "run.json").read_text())["source"] == {
        "kind": "testbed", "path": str(testbed.resolve())}

    # A live rerun reconnects through the testbed the run remembers: no flag repeated.
    host = lab["specs"][0].hostname
    again = inspector("rerun", str(run_dir), "--host", host, "--check", CHECK, "--live",
                      env=lab["env"])
    assert again.returncode == 0, again.stdout + again.stderr
    record = next(r for r in records(run_dir).values() if r["chassis"]["hostname"] == host)
    attempts = next(c for c in record["checks"] if c["id"] == CHECK)["attempts"]
    assert [a.get("mode") for a in attempts][-1] == "live"


@pytest.mark.lab
def test_a_testbed_device_whose_os_the_inspector_does_not_speak_gets_a_record_saying_so(
        lab: dict[str, Any], tmp_path: Path) -> None:
    spec = lab["specs"][0]
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text(yaml.safe_dump({"devices": {
        "edge-srx": {"os": "junos", "type": "firewall", "credentials": {
            "default": {"username": LAB_USERNAME, "password": LAB_PASSWORD}},
            "connections": {"cli": {"protocol": "ssh", "ip": "127.0.0.1", "port": spec.port}}},
    }}))
    done = _run(lab, tmp_path / "out", "--testbed", str(testbed))
    record = records(tmp_path / "out" / "r")["edge-srx"]
    assert done.returncode == 2, done.stdout + done.stderr
    assert record["chassis"]["platform"] == "junos"
    assert "platform 'junos' has no SSH CLI" in json.dumps(record)


def _csv_inventory(folder: Path, specs: list[Any]) -> None:
    folder.mkdir()
    with (folder / "hosts.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "hostname", "port", "platform",
                                                    "site"])
        writer.writeheader()
        for spec in specs:
            writer.writerow({"name": spec.hostname, "hostname": "127.0.0.1", "port": spec.port,
                             "platform": spec.device_type, "site": "lab"})


@pytest.mark.lab
@pytest.mark.parametrize("plugin", ["SimpleInventory", "nornir_csv.plugins.inventory:CsvInventory"])
def test_any_nornir_inventory_plugin_through_a_configuration_file(
        lab: dict[str, Any], tmp_path: Path, plugin: str) -> None:
    if plugin == "SimpleInventory":
        options = {f"{kind}_file": str(lab["inventory"] / f"{kind}s.yaml")
                   for kind in ("host", "group")}
        options["defaults_file"] = str(lab["inventory"] / "defaults.yaml")
    else:
        _csv_inventory(tmp_path / "csv", lab["specs"])
        options = {"inventory_dir_path": str(tmp_path / "csv")}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "inventory": {"plugin": plugin, "options": options},
        "runner": {"plugin": "threaded", "options": {"num_workers": 1}},  # the inspector's wins
    }))
    done = _run(lab, tmp_path / "out", "--nornir-config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert {r["chassis"]["hostname"] for r in records(tmp_path / "out" / "r").values()} == {
        s.hostname for s in lab["specs"]}
    assert json.loads((tmp_path / "out" / "r" / "run.json").read_text())["source"]["kind"] \
        == "nornir_config"


@pytest.mark.lab
def test_a_resume_reloads_the_checklist_the_run_was_started_from(
        lab: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.policy import load_policy
    from inspector.store import start_run

    checklist = tmp_path / "checklist.csv"
    with checklist.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["hostname", "address", "port", "platform", "site", "country",
                         "declared_pid", "declared_serial", "condition", "license_proof"])
        for spec in lab["specs"]:
            writer.writerow([spec.hostname, "127.0.0.1", spec.port, spec.device_type, "lab",
                             "US", "C9300-48P", spec.serial, "working", "SO-1"])
    # A run that stopped before its first chassis, as an interrupted one would.
    monkeypatch.setenv("INSPECTOR_KEY", lab["env"]["INSPECTOR_KEY"])
    run_dir = start_run(out=tmp_path / "out", run_id="site",
                        hosts=[s.hostname for s in lab["specs"]], check_ids=[CHECK],
                        policy=load_policy(None),
                        source=Source("checklist", checklist).as_json())
    done = inspector("run", "--resume", str(run_dir), env=lab["env"])
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert {r["chassis"]["hostname"] for r in records(run_dir).values()} == {
        s.hostname for s in lab["specs"]}


def test_loading_hosts_brings_netmiko_alone_whatever_connection_plugins_are_installed(
        tmp_path: Path) -> None:
    # nornir_napalm is installed beside the inspector (nornir_nautobot needs it): Nornir's
    # InitNornir would import it, and with it every NAPALM driver, into the run's process.
    import importlib.metadata

    assert any(ep.value.startswith("nornir_napalm") for ep in
               importlib.metadata.entry_points(group="nornir.plugins.connections"))
    (tmp_path / "hosts.yaml").write_text("r1:\n  hostname: 127.0.0.1\n  platform: cisco_ios\n")
    probe = ("import json, sys; from pathlib import Path;"
             "from inspector.hosts import Source, load_hosts;"
             "nr = load_hosts(Source('inventory', Path(sys.argv[1])), workers=2);"
             "from nornir.core.plugins.connections import ConnectionPluginRegister as R;"
             "print(json.dumps([sorted(nr.inventory.hosts), 'napalm' in sys.modules,"
             " 'napalm' in R.available, 'netmiko' in R.available]))")
    assert fresh_json(probe, str(tmp_path)) == [["r1"], False, False, True]


# --------------------------------------------------------------------------- bad input


def _inventory(folder: Path, **host: Any) -> Path:
    folder.mkdir()
    entry = {"hostname": "127.0.0.1", "port": 9, "platform": "cisco_xe",
             "username": "u", "password": "p", **host}
    (folder / "hosts.yaml").write_text(yaml.safe_dump({"R1": entry}))
    return folder


@pytest.mark.parametrize(("host", "words"), [
    ({"port": "abc"}, "port must be a number from 1 to 65535, not 'abc'"),
    ({"port": 70000}, "port must be a number from 1 to 65535, not 70000"),
    ({"port": "²"}, "port must be a number from 1 to 65535, not '²'"),  # isdigit, not int()
    ({"port": "२२"}, "port must be a number from 1 to 65535, not '२२'"),  # int() reads 22
    ({"platform": ["cisco_xe"]}, "platform must be text, not list ['cisco_xe']"),
    ({"password": 98765432101}, "password must be text, not int (not shown)"),
    ({"username": True}, "username must be text, not bool True"),
    ({"hostname": ["10.0.0.1"]}, "hostname must be text, not list ['10.0.0.1']"),
    ({"connection_options": {"netmiko": {"extras": {"secret": 1234}}}},
     "secret must be text, not int (not shown)"),
    ({"data": [1, 2]}, "data must be a mapping, not list"),
    ({"hostname": None}, "no address (hostname) to reach it at"),
    ({"connection_options": {"netmiko": {"extras": 5}}},
     "connection_options.netmiko.extras must be a mapping, not int"),
])
def test_bad_inventory_input_is_one_line_and_exit_3_before_anything_is_written(
        tmp_path: Path, host: dict[str, Any], words: str) -> None:
    inventory = _inventory(tmp_path / "inventory", **host)
    done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == f"inspector: host 'R1': {words}" + (
        " (quote it in YAML)" if "text" in words else "")
    assert "98765432101" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("files", "message"), [
    ({"groups.yaml": "ga:\n  groups: [gb]\ngb:\n  groups: [ga]\n"},
     "host 'R1': group 'ga' includes itself through 'gb'"),
    ({"groups.yaml": "ga:\n  groups: [ga]\n"}, "host 'R1': group 'ga' includes itself"),
    ({"groups.yaml": "ga:\n  data: text\n"}, "group 'ga': data must be a mapping, not str"),
    ({"defaults.yaml": "data: 7\n"}, "defaults: data must be a mapping, not int"),
    ({"hosts.yaml": ""}, "the inventory lists no hosts"),
    ({"hosts.yaml": "null\n"}, "the inventory lists no hosts"),
])
@pytest.mark.parametrize("command", ["run", "preflight"])
def test_groups_and_defaults_nornir_cannot_read_are_one_line_and_exit_3(
        tmp_path: Path, files: dict[str, str], message: str, command: str) -> None:
    inventory = _inventory(tmp_path / "inventory", groups=["ga"])
    for name, text in files.items():
        (inventory / name).write_text(text)
    if "groups.yaml" not in files:
        (inventory / "groups.yaml").write_text("ga: {}\n")
    out = ("--out", str(tmp_path / "out")) if command == "run" else ()
    done = inspector(command, "--inventory", str(inventory), *out)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"inspector: {message}"
    assert not (tmp_path / "out").exists()


def test_a_testbed_is_read_as_pyats_reads_it_and_then_checked(tmp_path: Path) -> None:
    """pyATS makes every password text (a number too); a port it keeps as written."""
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text(yaml.safe_dump({"devices": {"R1": {
        "os": "iosxe", "type": "router",
        "credentials": {"default": {"username": "u", "password": 98765432101}},
        "connections": {"cli": {"protocol": "ssh", "ip": "127.0.0.1", "port": "abc"}}}}}))
    done = inspector("preflight", "--testbed", str(testbed))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == ("inspector: host 'R1': port must be a number from 1 to "
                                   "65535, not 'abc'")
    testbed.write_text(testbed.read_text().replace("port: abc", "port: 22"))
    host = load_hosts(Source("testbed", testbed), 1).inventory.hosts["R1"]
    assert (host.password, host.port, host.platform) == ("98765432101", 22, "cisco_xe")


def test_a_testbed_device_without_an_address_is_refused_before_any_contact(
        tmp_path: Path) -> None:
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text(yaml.safe_dump({"devices": {"R1": {
        "os": "iosxe", "type": "router",
        "connections": {"cli": {"protocol": "ssh", "port": 22}}}}}))
    done = inspector("run", "--testbed", str(testbed), "--out", str(tmp_path / "out"),
                     env={"INSPECTOR_USERNAME": "u", "INSPECTOR_PASSWORD": "p"})
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "inspector: host 'R1': no address (hostname) to reach it at"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("config", [
    {"inventory": {"plugin": "no_such_package.inventory:Nothing"}},
    {"inventory": {"plugin": "NoSuchPlugin"}},
    {"inventory": {"plugin": "SimpleInventory", "options": {"no_such_option": 1}}},
])
def test_a_nornir_configuration_that_cannot_load_is_one_line_and_exit_3(
        tmp_path: Path, config: dict[str, Any]) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    done = inspector("run", "--nornir-config", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 3, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"inspector: {path}")
    assert not (tmp_path / "out").exists()


def test_a_nornir_configuration_naming_any_callable_as_its_plugin_calls_nothing(
        tmp_path: Path) -> None:
    """Nornir calls its inventory plugin with the file's options: `subprocess:run` given its
    arguments ran a command. Only an inventory class is taken."""
    touched = tmp_path / "touched"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"inventory": {
        "plugin": "subprocess:run", "options": {"args": ["touch", str(touched)]}}}))
    done = inspector("preflight", "--nornir-config", str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == (f"inspector: {path}: inventory plugin 'subprocess:run' is "
                                   "not an inventory plugin (a class with a `load` method)")
    assert not touched.exists()


def test_two_sources_at_once_are_refused(tmp_path: Path) -> None:
    done = inspector("run", "--inventory", str(tmp_path), "--testbed", str(tmp_path / "t.yaml"))
    assert done.returncode == 3
    assert "give one inventory source: --inventory, --testbed were given" in done.stderr


# --------------------------------------------------------------------------- NetBox, Nautobot

# NetBox's platform slugs for the lab's chassis; the 2960-X's is a site's own, mapped by the
# recipe's `platform_slugs`.
_SLUGS = {"cisco_xe": "cisco-ios-xe", "cisco_ios": "catalyst-classic"}
_SITES = ("ams1", "ams2", "fra1")


def _netbox_recipe(folder: Path, url: str, specs: list[Any], **options: Any) -> Path:
    """The README's NetBox recipe, pointed at `url`; each lab chassis sits at its own site,
    whose SSH port the group file gives (NetBoxInventory2 makes a `site__<slug>` group)."""
    ports = {f"site__{site}": {"port": spec.port}
             for site, spec in zip(_SITES, specs, strict=False)}
    (folder / "groups.yaml").write_text(yaml.safe_dump(ports))
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"inventory": {
        "plugin": "NetBoxInventory2",
        "options": {"nb_url": url, "use_platform_slug": True,
                    "filter_parameters": {"status": "active"},
                    "group_file": str(folder / "groups.yaml"),
                    "defaults_file": str(folder / "defaults.yaml"), **options},
        "transform_function": "inspector_source_of_truth",
        "transform_function_options": {"platform_slugs": {"Catalyst-Classic": "cisco_ios"}},
    }}))
    return config


def _netbox_devices(specs: list[Any]) -> list[dict[str, Any]]:
    from mock_devices.profiles import get_profile
    from tests.sources_of_truth import netbox_device

    found = [netbox_device(i + 1, s.hostname, address="127.0.0.1", platform=_SLUGS[s.device_type],
                    site=site, model=s.profile, serial=s.serial,
                    country="NL" if site.startswith("ams") else "DE", condition="working",
                    declared_pid=get_profile(s.profile).pid, license_proof=f"SO-{i + 1}")
             for i, (site, s) in enumerate(zip(_SITES, specs, strict=False))]
    # Filtered out by the recipe's `status: active`: never contacted.
    found.insert(1, netbox_device(9, "ams-old-1", address="192.0.2.10", platform="cisco-ios-xe",
                           site="ams1", model="c9300", serial="FOC0000X0AA",
                           status="decommissioning"))
    return found


@pytest.mark.lab
def test_netbox_hosts_through_the_real_plugin_and_the_readme_recipe_are_inspected(
        lab: dict[str, Any], tmp_path: Path) -> None:
    from mock_devices.profiles import get_profile
    from tests.sources_of_truth import TOKEN, serving

    specs = lab["specs"]
    with serving(_netbox_devices(specs)) as netbox:
        config = _netbox_recipe(tmp_path, netbox.url, specs)
        done = inspector("run", "--nornir-config", str(config), "--check", CHECK,
                         "--no-show-tech", "--out", str(tmp_path / "out"), "--run-id", "r",
                         "--workers", "3", env={**lab["env"], "NB_TOKEN": TOKEN})
        assert done.returncode == 0, done.stdout + done.stderr
        # Two pages, both asked for with the recipe's filter.
        assert [("offset=2" in r, "status=active" in r) for r in netbox.requests] == [
            (False, True), (True, True)]
    run_dir = tmp_path / "out" / "r"
    found = records(run_dir)
    assert {r["chassis"]["hostname"]: (r["chassis"]["platform"], r["verdict"])
            for r in found.values()} == {s.hostname: (s.device_type, "PASS") for s in specs}
    for i, (site, spec) in enumerate(zip(_SITES, specs, strict=True)):
        saved = json.loads((run_dir / "evidence" / spec.hostname / "context.json").read_text())
        assert saved["declaration"] == {
            "site": site, "country": "NL" if site.startswith("ams") else "DE",
            "declared_pid": get_profile(spec.profile).pid, "declared_serial": spec.serial,
            "condition": "working", "license_proof": f"SO-{i + 1}", "transfer_exception": None}
    assert json.loads((run_dir / "run.json").read_text())["source"] == {
        "kind": "nornir_config", "path": str(config.resolve())}


def test_a_netbox_token_netbox_refuses_is_one_line_and_exit_3(tmp_path: Path) -> None:
    from tests.sources_of_truth import serving

    with serving([]) as netbox:
        config = _netbox_recipe(tmp_path, netbox.url, [])
        done = inspector("preflight", "--nornir-config", str(config),
                         env={"NB_TOKEN": "not-the-token"})
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == (f"inspector: {config}: ValueError: Failed to get data "
                                   f"from NetBox instance {netbox.url}")


def test_flattened_netbox_custom_fields_are_read_as_well(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.sources_of_truth import TOKEN, netbox_device, serving

    monkeypatch.setenv("NB_TOKEN", TOKEN)
    listed = [netbox_device(1, "ams-core-1", address="192.0.2.11", platform="cisco-nx-os",
                     site="ams1", model="n9k-c93180yc-fx", serial="FDO2233X0AB",
                     condition="working", country="NL", declared_pid="N9K-C93180YC-FX",
                     license_proof="SO-123")]
    with serving(listed) as netbox:
        config = _netbox_recipe(tmp_path, netbox.url, [], flatten_custom_fields=True)
        host = load_hosts(Source("nornir_config", config), 1).inventory.hosts["ams-core-1"]
    assert (host.hostname, host.platform) == ("192.0.2.11", "cisco_nxos")
    assert {key: host.get(key) for key in ("site", "country", "declared_pid", "declared_serial",
                                           "condition", "license_proof")} == {
        "site": "ams1", "country": "NL", "declared_pid": "N9K-C93180YC-FX",
        "declared_serial": "FDO2233X0AB", "condition": "working", "license_proof": "SO-123"}


def _nautobot_recipe(folder: Path, url: str) -> Path:
    """The README's Nautobot recipe, pointed at `url`."""
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"inventory": {
        "plugin": "NautobotInventory",
        "options": {"nautobot_url": url, "nautobot_token": None,
                    "filter_parameters": {"status": "Active"}},
        "transform_function": "inspector_source_of_truth",
        "transform_function_options": {"platform_slugs": {"c9k-special": "cisco_xe"}},
    }}))
    return config


def _nautobot_devices() -> list[dict[str, Any]]:
    from tests.sources_of_truth import nautobot_device

    def chassis(pk: int, name: str, driver: str, **custom: Any) -> dict[str, Any]:
        return nautobot_device(pk, name, address=f"192.0.2.{10 + pk}", driver=driver,
                               location="AMS1", model="Catalyst 9300-48P",
                               part_number="C9300-48P", serial=f"FOC2233X0A{pk}", **custom)

    return [
        chassis(1, "ams-core-1", "cisco_xe", condition="working", license_proof="SO-123",
                country="NL"),
        chassis(2, "ams-edge-1", "juniper_junos"),
        chassis(3, "ams-old-1", "cisco_xe", status="Decommissioning"),
        chassis(4, "ams-lab-1", "c9k-special", declared_pid="C9300-24T"),
    ]


def test_nautobot_hosts_through_the_real_plugin_get_device_types_and_checklist_fields(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.program import HostContext
    from tests.sources_of_truth import NAUTOBOT_FILTERS, TOKEN, serving

    monkeypatch.setenv("NAUTOBOT_TOKEN", TOKEN)
    with serving(_nautobot_devices(), NAUTOBOT_FILTERS) as nautobot:
        config = _nautobot_recipe(tmp_path, nautobot.url)
        hosts = load_hosts(Source("nornir_config", config), 1).inventory.hosts
        # pynautobot's two pages: the first, then the rest in one, each at depth 1.
        assert [("depth=1" in r, "status=Active" in r, "offset=2" in r)
                for r in nautobot.requests] == [(True, True, False), (True, True, True)]
    assert {name: (h.hostname, h.platform) for name, h in hosts.items()} == {
        "ams-core-1": ("192.0.2.11", "cisco_xe"), "ams-edge-1": ("192.0.2.12", "juniper_junos"),
        "ams-lab-1": ("192.0.2.14", "cisco_xe")}
    core = hosts["ams-core-1"]
    assert {key: core.get(key) for key in ("site", "country", "declared_pid", "declared_serial",
                                           "condition", "license_proof")} == {
        "site": "AMS1", "country": "NL", "declared_pid": "C9300-48P",
        "declared_serial": "FOC2233X0A1", "condition": "working", "license_proof": "SO-123"}
    assert hosts["ams-lab-1"].get("declared_pid") == "C9300-24T"  # the custom field wins
    declared = HostContext.for_host(core, None).host_data()
    assert declared["declared_serial"] == "FOC2233X0A1" and declared["country"] == "NL"


def test_a_nautobot_inventory_is_judged_by_preflight_through_the_cli(tmp_path: Path) -> None:
    from tests.sources_of_truth import NAUTOBOT_FILTERS, TOKEN, serving

    with serving(_nautobot_devices(), NAUTOBOT_FILTERS) as nautobot:
        config = _nautobot_recipe(tmp_path, nautobot.url)
        done = inspector("preflight", "--nornir-config", str(config), "--json",
                         env={"NAUTOBOT_TOKEN": TOKEN})
    assert done.returncode == 1, done.stdout + done.stderr  # not every chassis is eligible
    judged = {c["hostname"]: c for c in json.loads(done.stdout)["chassis"]}
    # Nautobot declares all the core switch's checklist fields, none of the lab switch's.
    assert {name: c["eligible"] for name, c in judged.items()} == {
        "ams-core-1": True, "ams-edge-1": False, "ams-lab-1": False}
    assert "checklist incomplete: missing country, condition" in judged["ams-lab-1"]["reasons"]


def test_the_slug_map_knows_every_platform_and_an_unknown_option_is_an_error() -> None:
    from inspector.platforms import PLATFORMS
    from inspector.sources import PLATFORM_SLUGS, device_type, source_of_truth

    assert set(PLATFORM_SLUGS.values()) == set(PLATFORMS)
    assert all(device_type(name) == name for name in PLATFORMS)  # Nautobot's network drivers
    assert device_type("Cisco IOS XE") == "cisco_xe"  # a platform's name, not its slug
    with pytest.raises(ValueError, match="has no option 'slugs'"):
        source_of_truth(object(), slugs={})
    with pytest.raises(InventoryError, match="no such file"):
        load_hosts(Source("testbed", Path("no-such-testbed.yaml")), 1)


def test_a_device_type_model_name_is_never_taken_for_the_declared_pid() -> None:
    from nornir.core.inventory import Host

    from inspector.sources import source_of_truth

    device = _nautobot_devices()[0]
    device["device_type"]["part_number"] = ""
    host = Host(name="ams-core-1", platform="cisco_xe", data={"pynautobot_dictionary": device})
    source_of_truth(host)
    assert host.get("declared_pid") is None and host.get("declared_serial") == "FOC2233X0A1"
