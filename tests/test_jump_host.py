"""Chassis behind a jump host, end to end on 127.0.0.1: the lab's bastion forwards only to lab
chassis and logs every forward, so each session is proved to have gone through it; the
bastion's host key is held to the run's host key policy; a destination the bastion refuses, a
refused bastion login and a malformed --jump-host each end as they should."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_devices import plan_lab, running_lab
from mock_devices.bastion import BASTION_PASSWORD, BASTION_USERNAME, running_bastion
from mock_devices.lab import LAB_HOST
from tests.lab_run import inspector, records

pytestmark = pytest.mark.lab

CHECK = "hw.psu.status"
OUTSIDE = "not-a-lab-chassis"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LAB_HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    specs = plan_lab(2, "healthy")
    inventory = tmp_path / "inventory"
    with running_lab(specs, inventory_out=inventory), \
            running_bastion({(LAB_HOST, s.port) for s in specs},
                            log=tmp_path / "forwards.jsonl") as bastion:
        yield {"specs": specs, "inventory": inventory, "bastion": bastion, "tmp": tmp_path,
               "jump": f"{BASTION_USERNAME}@{LAB_HOST}:{bastion.port}",
               "env": {"INSPECTOR_JUMP_PASSWORD": BASTION_PASSWORD,
                       "INSPECTOR_KEY": str(tmp_path / "key.pem")}}


def _run(site: dict[str, Any], *extra: str, env: dict[str, str] | None = None) -> Any:
    return inspector("run", "--inventory", str(site["inventory"]), "--check", CHECK,
                     "--no-show-tech", "--out", str(site["tmp"] / "out"), "--run-id", "r",
                     *extra, env={**site["env"], **(env or {})})


def _add_host(site: dict[str, Any], name: str, port: int, **data: Any) -> None:
    path = site["inventory"] / "hosts.yaml"
    hosts = yaml.safe_load(path.read_text())
    hosts[name] = {**next(iter(hosts.values())), "hostname": LAB_HOST, "port": port,
                   "data": {"site": "lab", **data}}
    path.write_text(yaml.safe_dump(hosts))


def test_every_session_goes_through_the_bastion_which_refuses_anything_else(
        site: dict[str, Any]) -> None:
    outside = _free_port()
    _add_host(site, OUTSIDE, outside)
    done = _run(site, "--jump-host", site["jump"])
    assert done.returncode == 2, done.stdout + done.stderr
    found = records(site["tmp"] / "out" / "r")
    for spec in site["specs"]:
        record = found[spec.hostname]
        assert record["verdict"] == "PASS", record["session"]
        assert record["session"]["via"].startswith(f"{site['jump']} (ssh-ed25519 SHA256:")
    refused = found[OUTSIDE]["session"]["error"]
    assert refused.startswith(f"jump host {site['jump']} refused to forward to "
                              f"{LAB_HOST}:{outside}"), refused
    # The bastion's log: one forward per chassis session, and the refused one, nothing else.
    forwards = [(f.dest_port, f.allowed) for f in site["bastion"].forwards()]
    assert sorted(forwards) == sorted([(s.port, True) for s in site["specs"]]
                                      + [(outside, False)])
    assert len((site["tmp"] / "forwards.jsonl").read_text().splitlines()) == len(forwards)
    # Remembered for --resume and rerun --live.
    meta = json.loads((site["tmp"] / "out" / "r" / "run.json").read_text())
    assert meta["jump_host"] == site["jump"]


def test_a_group_names_the_jump_host_and_one_bastion_login_serves_every_session(
        site: dict[str, Any]) -> None:
    groups_path = site["inventory"] / "groups.yaml"
    groups = yaml.safe_load(groups_path.read_text())
    for group in groups.values():
        group.setdefault("data", {})["jump_host"] = site["jump"]
    groups_path.write_text(yaml.safe_dump(groups))
    done = _run(site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {f.dest_port for f in site["bastion"].forwards()} == {
        s.port for s in site["specs"]}
    assert site["bastion"].logins == [True]


def test_the_bastion_is_held_to_the_strict_host_key_policy(site: dict[str, Any]) -> None:
    known = site["tmp"] / "known_hosts"
    known.write_text("")  # the bastion's key is not in it
    policy = site["tmp"] / "policy.yaml"
    policy.write_text(yaml.safe_dump({"collection": {"host_key_policy": "strict",
                                                     "known_hosts": str(known)}}))
    done = _run(site, "--jump-host", site["jump"], "--policy", str(policy))
    assert done.returncode == 2, done.stdout + done.stderr
    for record in records(site["tmp"] / "out" / "r").values():
        assert record["session"]["error"] == (
            f"jump host {site['jump']}: host key not in known_hosts (strict host key policy)")
    assert site["bastion"].forwards() == []


def test_a_refused_bastion_login_is_an_error_never_retried(site: dict[str, Any]) -> None:
    done = _run(site, "--jump-host", site["jump"],
                env={"INSPECTOR_JUMP_PASSWORD": "not-the-bastion-password"})
    assert done.returncode == 2, done.stdout + done.stderr
    for record in records(site["tmp"] / "out" / "r").values():
        assert record["session"]["error"] == f"jump host {site['jump']}: authentication failed"
    assert site["bastion"].forwards() == []
    assert site["bastion"].logins == [False]  # asked once for the whole run: no lockout


@pytest.mark.parametrize("jump", ["bastion.example", "user@host:99999", "user@"])
def test_a_malformed_jump_host_is_one_line_and_exit_3(site: dict[str, Any], jump: str) -> None:
    done = _run(site, "--jump-host", jump)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == (f"inspector: --jump-host: jump host must be "
                                   f"user@host[:port], not {jump!r}")
    assert not (site["tmp"] / "out").exists()


@pytest.mark.parametrize("form", ["{user}:{password}@{host}", "{user}:{password}@{host}:{port}",
                                  "{user}:p@ss:{password}@{host}:{port}"])
def test_a_jump_host_with_a_password_is_refused_without_echoing_it(
        site: dict[str, Any], form: str) -> None:
    password = "Jump-Pw-In-The-Spec-4471"
    jump = form.format(user=BASTION_USERNAME, password=password, host=LAB_HOST,
                       port=site["bastion"].port)
    done = _run(site, "--jump-host", jump)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == (
        "inspector: --jump-host: jump host must be user@host[:port], without a password: give "
        "it in INSPECTOR_JUMP_PASSWORD or the --credentials file's jump_password")
    assert password not in done.stdout + done.stderr
    assert not (site["tmp"] / "out").exists()
    # Written in a host's data, it is refused alike, naming the host.
    _add_host(site, "behind", 22, jump_host=jump)
    done = _run(site)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.startswith("inspector: host 'behind' jump_host: jump host must be")
    assert password not in done.stdout + done.stderr
    assert not (site["tmp"] / "out").exists()


def _rerun(site: dict[str, Any], host: str, *extra: str,
           env: dict[str, str] | None = None) -> Any:
    return inspector("rerun", str(site["tmp"] / "out" / "r"), "--host", host, "--check", CHECK,
                     *extra, env={**site["env"], **(env or {})})


def _last_attempt(site: dict[str, Any], host: str) -> dict[str, Any]:
    record = records(site["tmp"] / "out" / "r")[host]
    attempt: dict[str, Any] = next(
        c for c in record["checks"] if c["id"] == CHECK)["attempts"][-1]
    return attempt


def test_a_live_rerun_goes_through_the_jump_host_it_is_given_for_that_rerun_only(
        site: dict[str, Any]) -> None:
    assert _run(site).returncode == 0  # straight to the chassis: no bastion
    assert site["bastion"].forwards() == []
    host = site["specs"][0]
    done = _rerun(site, host.hostname, "--live", "--jump-host", site["jump"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(f.dest_port, f.allowed) for f in site["bastion"].forwards()] == [(host.port, True)]
    assert (_last_attempt(site, host.hostname)["mode"],
            _last_attempt(site, host.hostname)["status"]) == ("live", "PASS")
    meta = json.loads((site["tmp"] / "out" / "r" / "run.json").read_text())
    assert meta["jump_host"] is None  # the run still remembers going straight
    # The next live rerun, without the flag, goes straight again.
    assert _rerun(site, host.hostname, "--live").returncode == 0
    assert len(site["bastion"].forwards()) == 1


def test_a_live_rerun_logs_in_with_the_credentials_file_it_is_given(
        site: dict[str, Any]) -> None:
    from mock_devices.lab import LAB_PASSWORD, LAB_SECRET, LAB_USERNAME
    from tests.lab_run import set_host_password

    assert _run(site).returncode == 0
    host = site["specs"][1].hostname
    # The seller changed the login since the run: the inventory's is refused now.
    set_host_password(site["inventory"], host, "the-old-password")
    done = _rerun(site, host, "--live")
    assert done.returncode == 2, done.stdout + done.stderr
    refused = _last_attempt(site, host)
    assert (refused["mode"], refused["status"]) == ("live", "ERROR"), refused
    assert "authentication failed" in refused["message"], refused
    sets = site["tmp"] / "sets.yaml"
    sets.write_text(yaml.safe_dump([{"label": "seller-new", "username": LAB_USERNAME,
                                     "password": "%ENV{SELLER_PASSWORD}",
                                     "secret": LAB_SECRET}]))
    done = _rerun(site, host, "--live", "--credentials", str(sets),
                  env={"SELLER_PASSWORD": LAB_PASSWORD})
    assert done.returncode == 0, done.stdout + done.stderr
    assert (_last_attempt(site, host)["mode"], _last_attempt(site, host)["status"]) == (
        "live", "PASS")
    assert json.loads((site["tmp"] / "out" / "r" / "run.json").read_text())[
        "credentials"] is None


@pytest.mark.parametrize(("extra", "words"), [
    (("--live", "--jump-host", "user@"),
     "--jump-host: jump host must be user@host[:port], not 'user@'"),
    (("--jump-host", "ops@127.0.0.1"),
     "--credentials and --jump-host are for reconnecting: they need --live"),
    (("--credentials", "sets.yaml"),
     "--credentials and --jump-host are for reconnecting: they need --live"),
])
def test_a_rerun_refuses_access_options_it_cannot_use_in_one_line(
        site: dict[str, Any], extra: tuple[str, ...], words: str) -> None:
    assert _run(site).returncode == 0
    run_dir = site["tmp"] / "out" / "r"
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    done = _rerun(site, site["specs"][0].hostname, *extra)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == f"inspector: {words}"
    assert {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()} == before


def test_the_bastion_password_may_come_from_the_credentials_file(
        site: dict[str, Any]) -> None:
    sets = site["tmp"] / "sets.yaml"
    sets.write_text(yaml.safe_dump({"jump_password": "%ENV{BASTION_SECRET}"}))
    # The file's password wins over a stale one in the environment.
    done = _run(site, "--jump-host", site["jump"], "--credentials", str(sets),
                env={"INSPECTOR_JUMP_PASSWORD": "not-the-bastion-password",
                     "BASTION_SECRET": BASTION_PASSWORD})
    assert done.returncode == 0, done.stdout + done.stderr
    assert site["bastion"].logins == [True]
    assert {f.dest_port for f in site["bastion"].forwards()} == {s.port for s in site["specs"]}
    assert BASTION_PASSWORD not in (site["tmp"] / "out" / "r" / "run.json").read_text()
    # A live rerun reads the file the run remembers, and so the password, again.
    host = site["specs"][0]
    done = _rerun(site, host.hostname, "--live",
                  env={"INSPECTOR_JUMP_PASSWORD": "", "BASTION_SECRET": BASTION_PASSWORD})
    assert done.returncode == 0, done.stdout + done.stderr
    assert site["bastion"].logins == [True, True]
