"""Candidate credential sets against the lab: each set tried at most once per chassis, never
more than collection.max_auth_failures refused, the record naming the set that worked and every
refusal by label, and no secret of any set written anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.credentials import CredentialError, Logins, load_file, parse_sets, resolve
from mock_devices import plan_lab, running_lab
from mock_devices.lab import LAB_PASSWORD, LAB_SECRET, LAB_USERNAME
from tests.lab_run import inspector, records

CHECK = "hw.psu.status"
WRONG = ["old-password-1", "old-password-2"]


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict[str, Any]]:
    specs = plan_lab(2, "healthy")
    with running_lab(specs, inventory_out=tmp_path / "inventory") as served:
        hosts = yaml.safe_load((tmp_path / "inventory" / "hosts.yaml").read_text())
        for entry in hosts.values():
            entry["password"] = WRONG[0]  # the inventory's login is refused everywhere
        (tmp_path / "inventory" / "hosts.yaml").write_text(yaml.safe_dump(hosts))
        sets = tmp_path / "credentials.yaml"
        sets.write_text(yaml.safe_dump([
            {"label": "old-admin", "username": LAB_USERNAME, "password": WRONG[1]},
            {"label": "seller", "username": LAB_USERNAME, "password": "%ENV{SELLER_PASSWORD}",
             "secret": "%ENV{SELLER_SECRET}"},
        ]))
        yield {"lab": served, "specs": specs, "tmp": tmp_path, "sets": sets,
               "env": {"SELLER_PASSWORD": LAB_PASSWORD, "SELLER_SECRET": LAB_SECRET,
                       "INSPECTOR_KEY": str(tmp_path / "key.pem")}}


def _run(lab: dict[str, Any], *extra: str) -> tuple[Any, Path]:
    out = lab["tmp"] / "out"
    done = inspector("run", "--inventory", str(lab["tmp"] / "inventory"), "--credentials",
                     str(lab["sets"]), "--check", CHECK, "--no-show-tech", "--out", str(out),
                     "--run-id", "r", *extra, env=lab["env"])
    return done, out / "r"


def _written(run_dir: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in run_dir.rglob("*") if p.is_file()
                   and p.suffix in (".json", ".txt", ".jsonl", ".csv", ".html", ".xml"))


@pytest.mark.lab
def test_the_third_set_logs_in_when_the_policy_allows_two_refusals_more(
        lab: dict[str, Any]) -> None:
    policy = lab["tmp"] / "policy.yaml"
    policy.write_text("collection:\n  max_auth_failures: 3\n")
    done, run_dir = _run(lab, "--policy", str(policy))
    assert done.returncode == 0, done.stdout + done.stderr
    for spec in lab["specs"]:
        session = records(run_dir)[spec.hostname]["session"]
        assert (session["login"], session["refused_logins"]) == (
            "seller", ["inventory", "old-admin"])
        # Three logins offered: one per set, the last accepted; the session went on with it.
        assert lab["lab"].chassis[spec.hostname].logins == [
            (LAB_USERNAME, False), (LAB_USERNAME, False), (LAB_USERNAME, True)]
    written = _written(run_dir)
    assert not any(secret in written for secret in (*WRONG, LAB_PASSWORD, LAB_SECRET))
    assert json.loads((run_dir / "run.json").read_text())["credentials"] == str(
        lab["sets"].resolve())


@pytest.mark.lab
def test_refusals_stop_at_max_auth_failures_so_no_account_locks(lab: dict[str, Any]) -> None:
    done, run_dir = _run(lab)
    assert done.returncode == 2, done.stdout + done.stderr
    for spec in lab["specs"]:
        record = records(run_dir)[spec.hostname]
        assert record["session"]["refused_logins"] == ["inventory", "old-admin"]
        assert record["session"]["login"] is None
        assert record["session"]["error"] == (
            "authentication failed for inventory, old-admin; stopped at "
            "collection.max_auth_failures (2) so no account locks, untried: seller")
        # Two refusals and no retry of the session: the lockout budget is never exceeded.
        assert lab["lab"].chassis[spec.hostname].logins == [(LAB_USERNAME, False)] * 2


def test_a_working_set_is_kept_and_a_refused_set_is_never_offered_again() -> None:
    sets = parse_sets([{"label": n, "username": "u", "password": n} for n in "abc"], "t")
    logins = Logins(sets=sets, max_failures=2)
    first = logins.next()
    assert first is not None and first.label == "a"
    logins.refused.append("a")
    second = logins.next()
    assert second is not None and second.label == "b"
    logins.worked = second
    assert logins.next() is second  # a retried session logs in with what worked
    logins.worked = None
    logins.refused.append("b")
    assert logins.next() is None  # two refused: `c` is never offered
    assert "untried: c" in logins.refusal()


@pytest.mark.parametrize(("entries", "words"), [
    ([{"label": "x", "username": "u", "password": 1234}], "set 'x' password must be text, not int"),
    ([{"label": "x", "username": "u"}], "set 'x' has no password"),
    ([{"label": "x", "username": "u", "password": "p", "pass": "q"}], "has no field 'pass'"),
    ([{"label": "x", "username": "u", "password": "p", 1: "q", "z": "y"}], "has no field 'z'"),
    # A key that is not a plain name may be a secret: `password Pa55word`, its colon left out.
    ([{"label": "x", "username": "u", "password Pa55word": None}],
     "set 1 has a field that is none of label, username, password, secret (not shown"),
    ([{"label": "x", "username": "u", "password": "p", 1234: None}], "none of label, "),
    ([{"label": "x", "username": "u", "password": "p"}] * 2, "two sets are labelled 'x'"),
    ({"label": "x"}, "must be a list of credential sets"),
    ([{"label": "x", "username": "u", "password": "%ENV{NO_SUCH_VARIABLE_HERE}"}],
     "the environment has no NO_SUCH_VARIABLE_HERE"),
])
def test_a_set_no_session_could_use_is_one_clear_error(entries: Any, words: str) -> None:
    with pytest.raises(CredentialError, match=words.replace("(", r"\(")) as caught:
        parse_sets(entries, "sets.yaml")
    assert "Pa55word" not in str(caught.value) and "1234" not in str(caught.value)


def test_secrets_come_from_the_environment_a_prompt_or_pyats_encoding(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pyats.utils.secret_strings import SecretString

    monkeypatch.setenv("SELLER_PW", "from-env")
    encoded = SecretString.from_plaintext("from-enc").data  # as `pyats secret encode` prints
    assert resolve("%ENV{SELLER_PW}", "w") == "from-env"
    assert resolve(f"%ENC{{{encoded}}}", "w") == "from-enc"
    assert resolve("%ASK{seller password}", "w", ask=lambda prompt: f"typed at {prompt}") \
        == "typed at seller password: "
    assert resolve("plain", "w") == "plain"


def test_a_bad_credentials_file_ends_the_run_before_any_device(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "hosts.yaml").write_text(yaml.safe_dump({"R1": {
        "hostname": "127.0.0.1", "port": 9, "platform": "cisco_xe"}}))
    sets = tmp_path / "sets.yaml"
    sets.write_text(yaml.safe_dump([{"label": "a", "username": "u", "password": 98765432101}]))
    done = inspector("run", "--inventory", str(inventory), "--credentials", str(sets),
                     "--out", str(tmp_path / "out"))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.strip() == (f"inspector: {sets}: set 'a' password must be text, not "
                                   "int (quote it in YAML)")
    assert not (tmp_path / "out").exists()
    with pytest.raises(CredentialError, match="no such file|No such file"):
        load_file(tmp_path / "missing.yaml")
    sets.write_text("{1: x, z: y}\n")  # a key YAML reads as a number
    with pytest.raises(CredentialError, match="has no field 'z' "):
        load_file(sets)
    sets.write_text("{credential_sets: [], jump_password Pa55word}\n")  # its colon left out
    with pytest.raises(CredentialError, match="has a field that is none of credential_sets, "
                       "jump_password \\(not shown") as caught:
        load_file(sets)
    assert "Pa55word" not in str(caught.value)


@pytest.mark.parametrize("text", [
    "- {label: a, username: u, password: Old-S3cret, password: New-S3cret}\n",
    "credential_sets: []\njump_password: Old-S3cret\njump_password: New-S3cret\n"])
def test_a_key_said_twice_in_a_credentials_file_is_refused_without_its_values(
        tmp_path: Path, text: str) -> None:
    # As the inventory's files are: the last value would silently win.
    sets = tmp_path / "sets.yaml"
    sets.write_text(text)
    with pytest.raises(CredentialError, match=f"--credentials {sets} is not valid YAML: found "
                       "duplicate key \"(password|jump_password)\"") as caught:
        load_file(sets)
    assert "S3cret" not in str(caught.value)


def test_the_readme_examples_of_credential_sets_read_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Candidate credentials", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("SELLER_PASSWORD", "from-env")
    sets = parse_sets(yaml.safe_load(block), "README", ask=lambda prompt: "typed")
    assert [(s.label, s.username, s.password, s.secret) for s in sets] == [
        ("seller-admin", "admin", "from-env", "typed"),
        ("factory", "cisco", "example-password", None)]
    mapping = section.split("```yaml\n", 2)[2].split("```", 1)[0]
    path = tmp_path / "sets.yaml"
    path.write_text(mapping)
    monkeypatch.setattr("getpass.getpass", lambda prompt: f"typed at {prompt}")
    given = load_file(path)
    assert [(s.label, s.password) for s in given.sets] == [("seller-admin", "from-env")]
    assert given.jump_password == "typed at bastion password: "


def test_a_groups_sets_are_read_once_and_follow_the_hosts_login(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.hosts import Source, load_hosts
    from inspector.policy import load_policy
    from inspector.run import Credentials, host_credentials, prepare_hosts

    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump({
        name: {"hostname": "127.0.0.1", "port": 22, "platform": "cisco_xe", "groups": ["site"],
               "username": "u", "password": f"own-{name}"} for name in ("R1", "R2", "R3")}))
    (tmp_path / "groups.yaml").write_text(yaml.safe_dump({"site": {"data": {
        "credential_sets": [{"label": "seller", "username": "admin",
                             "password": "%ASK{seller password}"}]}}}))
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "asked")
    nornir = load_hosts(Source("inventory", tmp_path), 1)
    prepare_hosts(nornir, Credentials(), load_policy(None))
    assert prompts == ["seller password: "]  # one prompt for the group, not one per host
    r1 = nornir.inventory.hosts["R1"]
    assert [(s.label, s.password, s.secret) for s in r1["credential_sets"]] == [
        ("inventory", "own-R1", "own-R1"), ("seller", "asked", "asked")]
    assert set(host_credentials(r1)) == {"own-R1", "asked"}  # what R1's evidence is kept from
    shared = parse_sets([{"label": "inventory", "username": "x", "password": "y"}], "file")
    with pytest.raises(CredentialError, match="two credential sets are labelled 'inventory'"):
        prepare_hosts(load_hosts(Source("inventory", tmp_path), 1), Credentials(),
                      load_policy(None), shared)


def test_a_credentials_file_may_give_the_jump_hosts_password_by_prompt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sets.yaml"
    path.write_text(yaml.safe_dump({
        "credential_sets": [{"label": "seller", "username": "admin", "password": "pw"}],
        "jump_password": "%ASK{bastion password}"}))
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or "typed")
    given = load_file(path)
    assert prompts == ["bastion password: "]
    assert (given.jump_password, [s.label for s in given.sets]) == ("typed", ["seller"])
    assert "typed" not in repr(given)
    path.write_text(yaml.safe_dump({"jump_password": 1234}))
    with pytest.raises(CredentialError, match="jump_password must be text, not int"):
        load_file(path)
    path.write_text(yaml.safe_dump({"jump_passwd": "x"}))
    with pytest.raises(CredentialError, match="has no field 'jump_passwd'"):
        load_file(path)


def test_the_jump_hosts_password_is_one_of_the_secrets_a_hosts_evidence_is_kept_from(
        tmp_path: Path) -> None:
    from inspector.hosts import Source, load_hosts
    from inspector.policy import load_policy
    from inspector.run import Credentials, host_credentials, prepare_hosts

    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump({
        name: {"hostname": "127.0.0.1", "port": 22, "platform": "cisco_xe", "username": "u",
               "password": "own-pw", **data}
        for name, data in (("R1", {}), ("R2", {"data": {"jump_host": "ops@other:2222"}}))}))
    nornir = load_hosts(Source("inventory", tmp_path), 1)
    prepare_hosts(nornir, Credentials(jump_password="Jump-Pw-4471"), load_policy(None),
                  jump_host="ops@bastion")
    for host in nornir.inventory.hosts.values():
        assert host_credentials(host) == ["own-pw", "Jump-Pw-4471"]
    nornir = load_hosts(Source("inventory", tmp_path), 1)
    prepare_hosts(nornir, Credentials(jump_password="Jump-Pw-4471"), load_policy(None))
    assert host_credentials(nornir.inventory.hosts["R1"]) == ["own-pw"]  # not through it
