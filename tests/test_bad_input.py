"""Files the inspector reads that are not what it writes (a capture's index.json, a record given
to `diff`): exit 3 and one clear line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lab_run import inspector

BAD_INDEXES = {
    "not json": "{commands: [",
    "a list": "[]",
    "commands not a list": json.dumps({"commands": {"show version": {}}}),
    "a command without its name": json.dumps({"commands": [{"file": "x.txt"}]}),
    "a file that is a number": json.dumps({"commands": [{"command": "show version",
                                                         "file": 5}]}),
    "a session of the wrong shape": json.dumps({"session": {"connected": "yes"}}),
    "a session with unknown fields": json.dumps(
        {"session": {"connected": True, "privileged": True, "password": "x"}}),
    "a hostname that is a list": json.dumps({"hostname": ["a"]}),
}


@pytest.mark.parametrize("case", sorted(BAD_INDEXES))
def test_a_bad_index_is_one_clear_error(case: str, tmp_path: Path) -> None:
    capture = tmp_path / "capture"
    capture.mkdir()
    (capture / "index.json").write_text(BAD_INDEXES[case])
    (capture / "show_version.txt").write_text("Cisco IOS XE Software, Version 17.09.04a\n")
    done = inspector("evaluate", "--capture", str(capture), "--platform", "cisco_xe")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "index.json" in lines[0], done.stderr


@pytest.mark.parametrize("document", ['[1]', '{"schema_version": 2, "chassis": 5}',
                                      '{"schema_version": 2, "run_id": "r", "checks": 5, '
                                      '"started_at": "x", "finished_at": "y", "chassis": {}}'])
def test_diff_of_files_that_are_not_records_is_one_clear_error(document: str,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "not-a-record.json"
    path.write_text(document)
    done = inspector("diff", str(path), str(path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("inspector: not an inspection record"), done.stderr


def test_the_index_check_knows_every_field_of_a_session() -> None:
    from dataclasses import fields

    from inspector.evidence import _SESSION_FIELDS, Session

    assert set(_SESSION_FIELDS) == {f.name for f in fields(Session)}


# Ten of `a`, ten of `b` each ten of `a`, ...: 10**8 values, from 500 bytes.
_BOMB = "r1:\n  hostname: 127.0.0.1\n  data:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"    {n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
    for p, n in zip("abcdefg", "bcdefgh", strict=True))
BAD_HOSTS_FILES = {
    "a host without settings": ("r1:\n", "hosts.yaml: host 'r1' has no settings"),
    "a list": ("- r1\n- r2\n", "hosts.yaml must be a mapping of names to settings, not list"),
    "a name that is a number": ("1:\n  hostname: 127.0.0.1\n",
                                "hosts.yaml: host name 1 must be text (quote it in YAML)"),
    "a group groups.yaml lacks": ("r1:\n  hostname: 127.0.0.1\n  groups: [nosuch]\n",
                                  "hosts.yaml: host 'r1': group 'nosuch' is not in groups.yaml"),
    "groups as text": ("r1:\n  hostname: 127.0.0.1\n  groups: ga\n",
                       "hosts.yaml: host 'r1': groups must be a list of group names, not str"),
    "connection options as text": ("r1:\n  connection_options: ssh\n",
                                   "hosts.yaml: host 'r1': connection_options must be a mapping"),
    "a key twice": ("r1:\n  port: 22\nr1:\n  port: 23\n",
                    'hosts.yaml is not valid YAML: found duplicate key "r1"'),
    # YAML's own message quotes both values: two passwords, on the terminal.
    "a password twice": ("r1:\n  password: Old-S3cret-1\n  password: New-S3cret-2\n",
                         'hosts.yaml is not valid YAML: found duplicate key "password" (line 3,'),
    # An unquoted password YAML reads as a tag or an alias: its message would quote it.
    "a password read as a tag": ("r1:\n  password: !S3cret-Word\n",
                                 "hosts.yaml is not valid YAML: could not determine a "
                                 "constructor for the tag (line 2, column 13)"),
    "a password read as an alias": ("r1:\n  password: *S3cretWord\n",
                                    "hosts.yaml is not valid YAML: found undefined alias (line 2,"),
    "not YAML": ("r1: [\n", "hosts.yaml is not valid YAML: "),
    "not UTF-8": ("\udcff\udcfe", "hosts.yaml is not UTF-8 text (byte 0)"),
    "an alias bomb": (_BOMB, "hosts.yaml: its aliases expand it to over ten times its size"),
}


@pytest.mark.parametrize("case", sorted(BAD_HOSTS_FILES))
def test_a_hosts_file_nornir_cannot_read_is_one_line_naming_file_and_host(
        case: str, tmp_path: Path) -> None:
    text, words = BAD_HOSTS_FILES[case]
    (tmp_path / "hosts.yaml").write_bytes(text.encode("utf-8", "surrogateescape"))
    (tmp_path / "groups.yaml").write_text("ga: {}\n")
    done = inspector("preflight", "--inventory", str(tmp_path))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.startswith(f"inspector: could not load the inventory in {tmp_path}: "
                                  f"{words}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "S3cret" not in done.stdout + done.stderr


# Each file of an inventory, its values nested deeper than ruamel's C parser survives: it
# crashed the process that loaded the inventory, named only by its folder.
_DEEP_VALUE = "[" * 100_000 + "]" * 100_000
DEEP_INVENTORY_FILES = {
    "hosts.yaml": f"r1:\n  hostname: 127.0.0.1\n  data:\n    a: {_DEEP_VALUE}\n",
    "groups.yaml": f"ga:\n  data:\n    a: {_DEEP_VALUE}\n",
    "defaults.yaml": f"data:\n  a: {_DEEP_VALUE}\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_INVENTORY_FILES))
def test_an_inventory_file_nested_too_deeply_is_one_line_naming_it(
        name: str, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "hosts.yaml").write_text(
        "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  username: u\n  password: p\n")
    (inventory / name).write_text(DEEP_INVENTORY_FILES[name])
    done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: could not load the inventory in {inventory}: {name}: its values are "
        "nested too deeply to read"], done.stderr
    assert not (tmp_path / "out").exists()


def test_the_inventory_reader_takes_values_as_deep_as_it_allows_and_no_deeper() -> None:
    from inspector.files import DEEPEST_YAML, load_yaml_in_c

    deepest = load_yaml_in_c("[" * DEEPEST_YAML + "]" * DEEPEST_YAML)
    for _ in range(DEEPEST_YAML - 1):
        deepest = deepest[0]
    assert deepest == []
    with pytest.raises(RecursionError):
        load_yaml_in_c("[" * (DEEPEST_YAML + 1) + "]" * (DEEPEST_YAML + 1))


@pytest.mark.parametrize("given", ["a folder", "not UTF-8"])
@pytest.mark.parametrize("option", ["--policy", "--hold-list", "--credentials", "--checklist"])
def test_a_file_the_user_gives_that_cannot_be_read_is_named_exit_3(
        given: str, option: str, tmp_path: Path) -> None:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  username: u\n  password: p\n")
    path = tmp_path / "given"
    if given == "a folder":
        path.mkdir()
    else:
        path.write_bytes(b"\xff\xfeF\x00O\x00C\x00\n")
    source = [] if option == "--checklist" else ["--inventory", str(tmp_path / "inventory")]
    done = inspector("run", *source, option, str(path), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and str(path) in done.stderr
    why = "a folder, not a file" if given == "a folder" else "not UTF-8 text (byte 0)"
    assert why in done.stderr, done.stderr
    if option != "--checklist":  # a checklist's errors list its problems, one a line
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "out").exists()


# Deep enough that ruamel's C parser, the inventory's, would crash the process.
_DEEP = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
BAD_YAML = {
    "nested too deeply": (_DEEP, ": its values are nested too deeply to read"),
    "a secret read as a tag": ("password: !S3cretWord\n", " is not valid YAML: could not "
                               "determine a constructor for the tag (line 1, column 11)"),
    "a secret read as an alias": ("password: *S3cretWord\n", " is not valid YAML: found "
                                  "undefined alias (line 1, column 11)"),
    "a secret read as a tag handle": ("password: !S3cret!Word\n", " is not valid YAML: "
                                      "found undefined tag handle (line 1, column 11)"),
    "not YAML": ("a: [\n", " is not valid YAML: "),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
@pytest.mark.parametrize("option", ["--policy", "--credentials", "--testbed", "--nornir-config"])
def test_a_yaml_file_the_user_gives_that_cannot_be_read_is_one_line_naming_it(
        case: str, option: str, tmp_path: Path) -> None:
    text, words = BAD_YAML[case]
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  username: u\n  password: p\n")
    path = tmp_path / "given.yaml"
    path.write_text(text)
    source = [] if option in ("--testbed", "--nornir-config") \
        else ["--inventory", str(tmp_path / "inventory")]
    done = inspector("run", *source, option, str(path), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{path}{words}" in lines[0], done.stderr
    assert "S3cret" not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()


BAD_TESTBEDS = {
    "not YAML": ("devices: [\n", " is not valid YAML: "),
    "not UTF-8": ("\udcff\udcfe", " is not UTF-8 text (byte 0)"),
    "nested too deeply": (_DEEP, ": its values are nested too deeply to read"),
    "a secret read as a tag": ("testbed:\n  credentials:\n    default:\n      password: !S3cret\n",
                               " is not valid YAML: could not determine a constructor for the "
                               "tag (line 4, column 17)"),
    "a list": ("- R1\n", " must be a mapping (devices:, testbed:), not list"),
    "empty": ("", " is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_TESTBEDS))
@pytest.mark.parametrize("way", ["--testbed", "--nornir-config", "extends"])
def test_a_bad_testbed_is_one_line_naming_it_however_it_is_given(
        case: str, way: str, tmp_path: Path) -> None:
    """Given through a Nornir configuration or pulled in by `extends:`, pyATS's loader met it
    first: a `LoadError: <_io.TextIOWrapper ...>`, a parser's lines, or its own warning."""
    text, words = BAD_TESTBEDS[case]
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(text.encode("utf-8", "surrogateescape"))
    given = bad
    if way == "extends":
        given = tmp_path / "site.yaml"
        given.write_text("extends: bad.yaml\ndevices:\n  R1:\n    os: iosxe\n"
                         "    connections: {cli: {protocol: ssh, ip: 127.0.0.1}}\n")
    option, path, where = way, str(given), ""
    if way != "--nornir-config":
        option = "--testbed"
    else:
        path = str(tmp_path / "config.yaml")
        Path(path).write_text(f"inventory:\n  plugin: PyatsTestbed\n  options:\n"
                              f"    testbed: {bad}\n")
        where = f"{path}: "
    done = inspector("run", option, path, "--out", str(tmp_path / "out"), "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"inspector: {where}testbed {bad}{words}"), \
        done.stderr
    assert "S3cret" not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()


BAD_TESTBED_OPTIONS = {
    "none": ("", " needs the testbed file as its option `testbed` (options: testbed: FILE)"),
    "misnamed": ("  options:\n    testbed_file: testbed.yaml\n",
                 " has no option 'testbed_file': its one option is `testbed`, the testbed file"),
    "a list": ("  options:\n    testbed: [a.yaml, b.yaml]\n",
               "'s option `testbed` must name the testbed file, not list"),
}


@pytest.mark.parametrize("case", sorted(BAD_TESTBED_OPTIONS))
def test_the_testbed_plugin_s_options_are_one_line_naming_what_is_wrong(
        case: str, tmp_path: Path) -> None:
    """Nornir hands the options over as the plugin's arguments: a configuration naming no
    testbed, or a misspelt option, was Python's `TypeError: PyatsTestbed.__init__() missing
    1 required positional argument: 'testbed'`."""
    options, words = BAD_TESTBED_OPTIONS[case]
    config = tmp_path / "config.yaml"
    config.write_text("inventory:\n  plugin: PyatsTestbed\n" + options)
    done = inspector("preflight", "--nornir-config", str(config))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: {config}: the PyatsTestbed inventory plugin{words}"], done.stderr


def test_a_testbed_that_extends_itself_is_refused(tmp_path: Path) -> None:
    """pyATS follows such a chain for ever."""
    (tmp_path / "a.yaml").write_text("extends: b.yaml\ndevices: {}\n")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\ndevices: {{}}\n")
    done = inspector("preflight", "--testbed", str(tmp_path / "a.yaml"), timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: testbed {tmp_path / 'b.yaml'}: extends {tmp_path / 'a.yaml'}, which "
        "extends it in turn (a cycle)"], done.stderr


def test_a_testbed_pyats_refuses_is_one_line(tmp_path: Path) -> None:
    """Its schema's error spells the whole schema out; a markup's names no file read."""
    testbed = tmp_path / "testbed.yaml"
    testbed.write_text("devices: 5\n")
    done = inspector("preflight", "--testbed", str(testbed))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: testbed {testbed} does not follow pyATS's testbed schema: devices is not "
        "what the schema allows there"], done.stderr
    testbed.write_text("devices:\n  R1: {os: iosxe}\n")
    done = inspector("preflight", "--testbed", str(testbed))
    assert done.stderr.splitlines() == [
        f"inspector: testbed {testbed} does not follow pyATS's testbed schema: "
        "devices.R1.connections missing"], done.stderr


@pytest.mark.parametrize("given", ["a folder", "a link to itself"])
@pytest.mark.parametrize("where", ["--testbed", "--nornir-config", "hosts.yaml", "groups.yaml",
                                   "defaults.yaml"])
def test_a_source_file_that_cannot_be_read_is_said_so_not_taken_as_missing(
        given: str, where: str, tmp_path: Path) -> None:
    """A testbed or a Nornir configuration was "no such file", a hosts.yaml "missing", and a
    groups.yaml or defaults.yaml was read as none: the run went on without the defaults."""
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "hosts.yaml").write_text(
        "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  username: u\n  password: p\n")
    path = inventory / where if where.endswith(".yaml") else tmp_path / "given.yaml"
    path.unlink(missing_ok=True)
    if given == "a folder":
        path.mkdir()
    else:
        path.symlink_to(path.name)
    source = ["--inventory", str(inventory)] if where.endswith(".yaml") else [where, str(path)]
    done = inspector("run", *source, "--out", str(tmp_path / "out"), "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    named = {"--testbed": f"testbed {path}", "--nornir-config": str(path)}.get(
        where, f"could not load the inventory in {inventory}: {where}")
    why = " is a folder, not a file" if given == "a folder" else \
        ": Too many levels of symbolic links"
    assert done.stderr.splitlines() == [f"inspector: {named}{why}"], done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("text", "why"), [
    ("", " is empty"),
    ("- inventory\n", " must be a mapping of Nornir's settings (inventory:, ...), not list")],
    ids=["empty", "a list"])
def test_a_nornir_configuration_that_is_no_mapping_is_one_line_naming_it(
        text: str, why: str, tmp_path: Path) -> None:
    """Nornir's own reading of it stopped at an `AttributeError: 'NoneType' object has no
    attribute 'get'`."""
    config = tmp_path / "config.yaml"
    config.write_text(text)
    done = inspector("run", "--nornir-config", str(config), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [f"inspector: {config}{why}"], done.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_where_a_file_is_written_is_refused(tmp_path: Path) -> None:
    checklist = tmp_path / "checklist.csv"
    checklist.write_text("hostname,address,platform,site,country,declared_pid,declared_serial,"
                         "condition,license_proof\nr1,127.0.0.1,cisco_xe,lab,US,C9300-48P,"
                         "FOC2638RU3M,working,SO1\n")
    (tmp_path / "target" / "hosts.yaml").mkdir(parents=True)
    done = inspector("checklist", "import", str(checklist), "--inventory-out",
                     str(tmp_path / "target"))
    assert done.returncode == 3 and "Traceback" not in done.stderr, done.stderr
    assert f"refusing to write {tmp_path / 'target' / 'hosts.yaml'}: it is a folder" \
        in done.stderr
    (tmp_path / "reports").mkdir()
    done = inspector("report", str(tmp_path / "target"), "--format", "csv", "--output",
                     str(tmp_path / "reports"))
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: --output {tmp_path / 'reports'} is a folder: name the file to write"]


@pytest.mark.parametrize("line", ["FOC1234ABCD FOX99", "FOC1234ABCD,FOX99", "FOC1234ABCD;FOX99",
                                  "FOC1234\x01ABCD", "FOC1234ÁBCD"])
def test_a_hold_list_line_that_is_not_one_serial_is_refused_naming_it(
        line: str, tmp_path: Path) -> None:
    """Two serials pasted on one line were read as one serial no chassis has: both held
    chassis would have been inspected as clear of any hold. The run stops before its folder."""
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  username: u\n  password: p\n")
    hold = tmp_path / "hold.txt"
    hold.write_text(f"# holds\nSAL999\n{line}  # two of a lot\n", encoding="utf-8")
    for command in (["preflight"], ["run", "--out", str(tmp_path / "out"), "--no-show-tech"]):
        done = inspector(*command, "--inventory", str(tmp_path / "inventory"),
                         "--hold-list", str(hold))
        assert done.returncode == 3, done.stdout + done.stderr
        assert done.stderr.startswith(f"inspector: --hold-list {hold}, line 3: "), done.stderr
        assert "is not one serial number" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["hosts.yaml", "groups.yaml", "defaults.yaml"])
def test_nornir_s_own_simple_inventory_nested_too_deeply_is_one_line_naming_it(
        name: str, tmp_path: Path) -> None:
    """A Nornir configuration naming Nornir's own SimpleInventory has it read its files in
    the run's process, with ruamel's C parser: a file nested too deeply crashed the process
    (exit -11), not a word said."""
    folder = tmp_path / "inventory"
    folder.mkdir()
    files = {"hosts.yaml": "r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n"
                           "  username: u\n  password: p\n",
             "groups.yaml": "{}\n", "defaults.yaml": "{}\n", name: _DEEP}
    for file, text in files.items():
        (folder / file).write_text(text)
    config = tmp_path / "config.yaml"
    config.write_text("inventory:\n  plugin: SimpleInventory\n  options:\n"
                      f"    host_file: {folder / 'hosts.yaml'}\n"
                      f"    group_file: {folder / 'groups.yaml'}\n"
                      f"    defaults_file: {folder / 'defaults.yaml'}\n")
    done = inspector("run", "--nornir-config", str(config), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"inspector: {folder / name}: its values are nested too deeply to read"], done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_nornir_s_own_simple_inventory_in_another_encoding_than_utf_8_is_refused(
        encoding: str, tmp_path: Path) -> None:
    """Files SimpleInventory is told are in another encoding were not measured before it read
    them: one nested too deeply crashed the process (signal 11) as a UTF-8 one did. Every
    inventory file is UTF-8, as `--inventory`'s are."""
    folder = tmp_path / "inventory"
    folder.mkdir()
    hosts = "# Café\nr1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n" + _DEEP
    (folder / "hosts.yaml").write_bytes(hosts.encode(encoding))  # UTF-16 opens with its BOM
    config = tmp_path / "config.yaml"
    config.write_text("inventory:\n  plugin: SimpleInventory\n  options:\n"
                      f"    host_file: {folder / 'hosts.yaml'}\n    encoding: {encoding}\n")
    done = inspector("run", "--nornir-config", str(config), "--out", str(tmp_path / "out"),
                     "--no-show-tech")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: {config}: SimpleInventory's encoding {encoding!r}: inventory files are "
        "read as UTF-8 only, as --inventory's are; save them as UTF-8 and leave the option "
        "out"], done.stderr
    assert not (tmp_path / "out").exists()


def test_nornir_s_own_simple_inventory_named_from_the_home_folder_is_measured(
        tmp_path: Path) -> None:
    """SimpleInventory reads `~/inventory/hosts.yaml` from the home folder; it was looked for
    as a folder named `~`, not found, so left unmeasured, and, nested too deeply, it crashed
    the process (signal 11)."""
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "hosts.yaml").write_text("r1:\n  hostname: 127.0.0.1\n" + _DEEP)
    config = tmp_path / "config.yaml"
    config.write_text("inventory:\n  plugin: SimpleInventory\n  options:\n"
                      "    host_file: ~/inventory/hosts.yaml\n")
    done = inspector("preflight", "--nornir-config", str(config), env={"HOME": str(tmp_path)})
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: {folder / 'hosts.yaml'}: its values are nested too deeply to read"], \
        done.stderr
