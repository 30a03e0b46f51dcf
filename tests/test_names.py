"""Host names and run ids that could collide or escape: each chassis keeps its own files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inspector.files import colliding_names, safe_name
from mock_devices import ChassisSpec, get_profile, running_lab
from tests.lab_run import inspector, records

TRICKY = ["a/b", "a_b", "..", "_", ".", "a b", "a\\b", "a:b", "sw1", "SW1.site", "ré-1",
          "x" * 400, "x" * 401, "a_b~" + "0" * 16, "-lead", "con", ""]


def test_every_name_gets_its_own_plain_file_name() -> None:
    names = [safe_name(n) for n in TRICKY]
    assert len(set(names)) == len(TRICKY), dict(zip(TRICKY, names, strict=True))
    for name in names:
        assert 0 < len(name.encode()) <= 100 and "/" not in name and "\\" not in name
        assert not name.startswith((".", "-")), name
    assert safe_name("sw1") == "sw1" and safe_name("SW1.site") == "SW1.site"


def test_names_equal_but_for_case_are_found() -> None:
    assert colliding_names(["R1", "r1", "a/b", "a_b"]) == [("R1", "r1")]


def test_names_that_read_as_one_are_found_however_their_letters_are_typed() -> None:
    """`ré-1` typed with `é` as one character (NFC) and as `e` and an accent (NFD) are two
    record files but print as one name in every report; `Ré-1` differs from them in case
    alone, as `R1` from `r1`. They were not found: a name that is not a plain file name is
    told apart by a digest of its bytes."""
    import unicodedata

    composed, decomposed = (unicodedata.normalize(form, "ré-1") for form in ("NFC", "NFD"))
    assert composed != decomposed
    assert colliding_names([composed, decomposed, "Ré-1", "re-1"]) == [
        (composed, decomposed), (composed, "Ré-1")]


def _lab_inventory(tmp: Path, names: list[str]) -> tuple[list[ChassisSpec], Path]:
    specs = [ChassisSpec(hostname=f"lab-{i}", profile="cat9300", scenario="healthy", index=i,
                         serial=get_profile("cat9300").serial(i)) for i in range(1, len(names) + 1)]
    return specs, tmp / "inventory"


def _rename_hosts(inventory: Path, specs: list[ChassisSpec], names: list[str]) -> None:
    hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
    renamed = {name: hosts[spec.hostname] for spec, name in zip(specs, names, strict=True)}
    (inventory / "hosts.yaml").write_text(yaml.safe_dump(renamed))


@pytest.mark.lab
def test_colliding_and_hostile_host_names_each_get_a_record(tmp_path: Path) -> None:
    names = ["a/b", "a_b", "..", "_", "x" * 400, "../../escape"]
    specs, inventory = _lab_inventory(tmp_path, names)
    with running_lab(specs, inventory_out=inventory):
        _rename_hosts(inventory, specs, names)
        done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"),
                         "--run-id", "r", "--no-show-tech",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 0, done.stdout + done.stderr
    run_dir = tmp_path / "out" / "r"
    found = records(run_dir)
    assert len(found) == len(names)
    assert sorted(r["chassis"]["hostname"] for r in found.values()) == sorted(names)
    assert len(list((run_dir / "evidence").iterdir())) == len(names)
    assert not (tmp_path / "escape").exists() and not (tmp_path / "out" / "escape").exists()
    key = {"INSPECTOR_KEY": str(tmp_path / "key.pem")}
    assert inspector("verify", str(run_dir), env=key).returncode == 0
    shown = inspector("show", str(run_dir), "--host", "a/b", env={"COLUMNS": "200", **key})
    assert shown.returncode == 0 and "a/b" in shown.stdout, shown.stdout + shown.stderr


@pytest.mark.lab
def test_names_equal_but_for_case_stop_the_run_before_any_contact(tmp_path: Path) -> None:
    specs, inventory = _lab_inventory(tmp_path, ["R1", "r1"])
    with running_lab(specs, inventory_out=inventory) as lab:
        _rename_hosts(inventory, specs, ["R1", "r1"])
        done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"),
                         "--run-id", "r", "--no-show-tech",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
        contacted = [lab.commands(s.hostname) for s in specs]
    assert done.returncode == 3, done.stdout + done.stderr
    assert "'R1' and 'r1'" in done.stderr and "Traceback" not in done.stderr
    assert contacted == [[], []] and not (tmp_path / "out" / "r").exists()


@pytest.mark.parametrize("run_id", ["../x", "/tmp/x", "a/b", ".hidden", "x" * 300])
def test_a_run_id_must_be_a_plain_name(run_id: str, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "hosts.yaml").write_text("r1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n")
    done = inspector("run", "--inventory", str(inventory), "--out", str(tmp_path / "out"),
                     "--run-id", run_id, "--no-show-tech",
                     env={"INSPECTOR_USERNAME": "u", "INSPECTOR_PASSWORD": "p",
                          "INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "out").exists()
