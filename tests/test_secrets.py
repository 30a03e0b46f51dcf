"""Secrets never leave the chassis through the inspector.

A lab batch with distinctive credentials (one chassis listed with a wrong password, one with a
wrong enable secret, one refusing every login) and chassis whose outputs print secrets: the
running configuration inside every `show tech-support`, and a log in which the configuration
logger recorded secrets typed in clear. Every byte the tool writes (records, evidence,
compressed evidence unpacked, reports, run.json, manifest, its stdout and stderr) is searched
for every one of them. The redaction itself is also checked directly, on the configuration
lines each OS prints and through EvidenceWriter.
"""

from __future__ import annotations

import gzip
import json
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.evidence import EvidenceWriter, Session, open_capture, sha256_text
from inspector.redact import MASK, redact_message, redact_output
from mock_devices import ChassisSpec, get_profile, render_output, running_lab
from mock_devices.showtech import LAB_CONFIG_SECRETS
from tests.lab_run import inspector, records

LOGIN_PASSWORD = "Pw-Inspector-Login-4f7c21"
ENABLE_SECRET = "Sec-Inspector-Enable-9b3e55"
WRONG_PASSWORD = "Pw-Wrong-Guess-2d8a90"
WRONG_SECRET = "Sec-Wrong-Guess-61c4fe"
# What the cat9300 `config_logged` scenario's log shows an administrator typing in clear.
LOGGED_SECRETS = ("Cl3ar-Enable-Secret-7781", "13061E010803557878", "Cl3ar-Community-RW-5517",
                  "Cl3ar-Tacacs-Key-4410", "Cl3ar-Isakmp-PSK-5520")
EVERY_SECRET = (LOGIN_PASSWORD, ENABLE_SECRET, WRONG_PASSWORD, WRONG_SECRET,
                *LOGGED_SECRETS, *LAB_CONFIG_SECRETS.values())

LOGGED, HEALTHY, ASA, WRONG_LOGIN, WRONG_ENABLE, REFUSED = (
    "lab-c9300-logged", "lab-c9300-ok", "lab-asa-ok", "lab-c9300-wrongpw", "lab-c9300-wrongen",
    "lab-nexus-refused")


def _spec(hostname: str, profile: str, scenario: str, index: int) -> ChassisSpec:
    return ChassisSpec(hostname=hostname, profile=profile, scenario=scenario, index=index,
                       serial=get_profile(profile).serial(index), password=LOGIN_PASSWORD,
                       secret=ENABLE_SECRET)


def _written(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under `root`, gzip files also unpacked."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            yield str(path), data
            if path.name.endswith(".gz"):
                yield f"{path} (unpacked)", gzip.decompress(data)


def _leaks(blobs: Iterator[tuple[str, bytes]]) -> str:
    """Each secret found, and where: empty when there is none."""
    return "\n".join(f"{secret} in {where}" for where, data in blobs for secret in EVERY_SECRET
                     if secret.encode() in data)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("secrets")
    specs = [_spec(LOGGED, "cat9300", "config_logged", 1), _spec(HEALTHY, "cat9300", "healthy", 2),
             _spec(ASA, "asa5525", "healthy", 3), _spec(WRONG_LOGIN, "cat9300", "healthy", 4),
             _spec(WRONG_ENABLE, "isr4431", "healthy", 5),
             _spec(REFUSED, "nexus9300", "login_refused", 6)]
    inventory = tmp / "inventory"
    out = tmp / "out"
    env = {"INSPECTOR_KEY": str(tmp / "keys" / "key.pem"), "COLUMNS": "200"}
    outputs: list[tuple[str, bytes]] = []
    with running_lab(specs, inventory_out=inventory) as lab:
        hosts = yaml.safe_load((inventory / "hosts.yaml").read_text())
        hosts[WRONG_LOGIN]["password"] = WRONG_PASSWORD
        hosts[WRONG_ENABLE]["connection_options"] = {
            "netmiko": {"extras": {"secret": WRONG_SECRET}}}
        (inventory / "hosts.yaml").write_text(yaml.safe_dump(hosts))
        # show tech-support is collected (the default): its running config prints secrets.
        done = inspector("run", "--inventory", str(inventory), "--out", str(out), "--run-id",
                         "secrets", "--workers", "6", env=env)
        outputs.append(("run stdout/stderr", (done.stdout + done.stderr).encode()))
        yield {"lab": lab, "specs": specs, "run": done, "run_dir": out / "secrets",
               "out": out, "env": env, "outputs": outputs, "tmp": tmp}


@pytest.mark.lab
def test_the_batch_ran_and_the_outputs_did_print_secrets(batch: dict[str, Any]) -> None:
    """The search below means something only if the secrets really reached the inspector."""
    assert batch["run"].returncode == 2, batch["run"].stdout + batch["run"].stderr
    found = records(batch["run_dir"])
    log = render_output("cat9300", "show logging", "config_logged")
    assert all(secret in log for secret in LOGGED_SECRETS)
    assert found[LOGGED]["verdict"] == "PASS", found[LOGGED]["verdict_reason"]
    for hostname in (LOGGED, HEALTHY, ASA):
        tech = found[hostname]["show_tech"]
        assert tech and tech["file"].endswith(".gz"), (hostname, tech)
        text = gzip.decompress((batch["run_dir"] / "evidence" / hostname / tech["file"])
                               .read_bytes()).decode()
        assert "show running-config" in text and MASK in text
        assert found[hostname]["redactions"][tech["command"]] >= len(LAB_CONFIG_SECRETS)
    evidence = (batch["run_dir"] / "evidence" / LOGGED / "show_logging.txt").read_text()
    assert "logged command:enable secret 0 " in evidence  # the line stays readable
    assert found[LOGGED]["redactions"].get("show logging", 0) >= len(LOGGED_SECRETS)
    for hostname in (WRONG_LOGIN, REFUSED):
        assert found[hostname]["verdict_reason"] == "not inspected: authentication failed"
    assert "enable" in found[WRONG_ENABLE]["session"]["error"], found[WRONG_ENABLE]["session"]


@pytest.mark.lab
def test_no_secret_in_anything_the_tool_wrote_or_printed(batch: dict[str, Any]) -> None:
    run_dir, env = batch["run_dir"], batch["env"]
    printed = list(batch["outputs"])
    for args in (["show", str(run_dir)], *(["show", str(run_dir), "--host", s.hostname]
                                         for s in batch["specs"]),
                 ["report", str(run_dir), "--format", "md", "--output",
                  str(batch["out"] / "r.md")],
                 ["report", str(run_dir), "--format", "csv", "--output",
                  str(batch["out"] / "r.csv")],
                 ["rerun", str(run_dir), "--all"], ["verify", str(run_dir)]):
        done = inspector(*args, env=env)
        printed.append((" ".join(args[:1]), (done.stdout + done.stderr).encode()))
    leaks = _leaks(iter(printed))
    assert not leaks, leaks
    leaks = _leaks(_written(batch["out"]))
    assert not leaks, leaks
    # The key folder holds the signing key only.
    leaks = _leaks(_written(Path(env["INSPECTOR_KEY"]).parent))
    assert not leaks, leaks


@pytest.mark.lab
def test_a_refused_login_says_so_without_the_password(batch: dict[str, Any]) -> None:
    from netmiko import ConnectHandler
    from netmiko.exceptions import NetmikoAuthenticationException

    refused = next(s for s in batch["specs"] if s.hostname == REFUSED)
    with pytest.raises(NetmikoAuthenticationException) as caught:
        ConnectHandler(device_type=refused.device_type, host="127.0.0.1", port=refused.port,
                       username=refused.username, password=LOGIN_PASSWORD, conn_timeout=5,
                       auth_timeout=5)
    told = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert LOGIN_PASSWORD not in told
    for hostname in (REFUSED, WRONG_LOGIN):
        record = records(batch["run_dir"])[hostname]
        assert record["session"]["error"] == "authentication failed"
        assert all(LOGIN_PASSWORD not in c["message"] and WRONG_PASSWORD not in c["message"]
                   for c in record["checks"])


# --------------------------------------------------------------------------- redaction itself

# Configuration lines as each OS prints them; the secret each carries is between « ».
CONFIG_SECRETS = [
    ("ios", "enable secret 9 «$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7p»"),
    ("ios", "enable password 7 «0822455D0A16»"),
    ("ios", "username netops privilege 15 password 7 «0822455D0A165447»"),
    ("ios", "username admin secret 5 «$1$mERr$hx5rVt7rPNoS4wqbXKX7m0»"),
    ("ios", "snmp-server community «Pr1vate-RW» RW"),
    ("ios", "tacacs-server host 192.0.2.10 key 7 «0703204E5A1D1C»"),
    ("ios", "tacacs-server key 0 «T4cacs-Plain»"),
    ("ios", "tacacs server ISE\n address ipv4 192.0.2.11\n key 7 «104D000A061843»"),
    ("ios", "radius-server host 192.0.2.12 auth-port 1812 key «R4dius-K3y»"),
    ("ios", "crypto isakmp key «Is4kmp-PSK» address 198.51.100.7"),
    ("ios", "crypto keyring KR\n pre-shared-key address 0.0.0.0 0.0.0.0 key «Kr1ng-PSK»"),
    ("ios", "router bgp 65000\n neighbor 192.0.2.1 password 7 «110A1016141D»"),
    ("ios", "key chain OSPF\n key 1\n  key-string 7 «01100F175804»"),
    ("ios", "interface Gi0/1\n ip ospf authentication-key 7 «1511021F0725»"),
    ("ios", "interface Gi0/1\n ip ospf message-digest-key 1 md5 7 «06070E2C4F4D»"),
    ("ios", "line vty 0 4\n password 7 «0822455D0A16545A»\n login"),
    ("ios", "snmp-server host 192.0.2.50 version 2c «Tr4p-Community»"),
    ("ios", "ntp authentication-key 1 md5 «13061E010803» 7"),
    ("ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:"
            "enable secret 0 «Typed-Cl3ar»"),
    ("nxos", "username admin password 5 «$5$KLLPAL$yDNpYzaEMd6Sg0»  role network-admin"),
    ("nxos", "snmp-server user admin network-admin auth md5 «0x8f1d2a3b» priv 0x9e2c3d4f"
             " localizedkey"),
    ("nxos", "snmp-server user admin network-admin auth md5 0x8f1d2a3b priv «0x9e2c3d4f»"
             " localizedkey"),
    ("nxos", 'tacacs-server host 192.0.2.10 key 7 «"Nx0sTac"»'),
    ("iosxr", "username admin\n group root-lr\n secret 10 «$6$Xr.Secret$AbCdEf0123»"),
    ("iosxr", "router bgp 65000\n neighbor 192.0.2.1\n  password encrypted «0822455D0A1654»"),
    ("asa", "enable password «8Ry2YjIyt7RRXU24» encrypted"),
    ("asa", "passwd «2KFQnbNIdI.2KYOU» encrypted"),
    ("asa", "username admin password «Qx7Lm2Pz» encrypted privilege 15"),
    ("asa", "tunnel-group 198.51.100.7 ipsec-attributes\n ikev1 pre-shared-key «As4-PSK»"),
    ("asa", "aaa-server TAC (inside) host 192.0.2.10\n key «As4-T4cacs»"),
    # Formats whose keyword stands mid-line, or in a command quoted by a log.
    ("ios", "interface Dot11Radio0\n ssid HOME\n  wpa-psk ascii 0 «Wpa-Ps2k-Clear»"),
    ("ios", "interface Vlan10\n standby 1 authentication md5 key-string 7 «0822455D0A1654»"),
    ("ios", "interface Vlan10\n standby 1 authentication text «Hsrp-Txt»"),
    ("ios", "interface Vlan10\n vrrp 1 authentication text «Vrrp-Txt»"),
    ("ios", "interface Serial0/0\n ppp chap password 0 «Ch4p-Pw»"),
    ("ios", "interface Serial0/0\n ppp pap sent-username isp password 0 «P4p-Pw»"),
    ("ios", "ip ftp password 0 «Ftp-Pw-77»"),
    ("ios", "ip http client password 0 «Http-Client-Pw»"),
    ("ios", "router isis\n area-password «Isis-Area»"),
    ("ios", "router isis\n domain-password «Isis-Domain»"),
    ("ios", "interface Gi0/1\n isis password «Isis-If»"),
    ("ios", "enable algorithm-type scrypt secret «Scrypt-Clear»"),
    ("ios", "username ops algorithm-type sha256 secret «Sha-Clear»"),
    ("ios", "vtp password «Vtp-Pw»"),
    ("ios", "snmp-server user ops grp v3 auth sha «Auth-Pw1» priv aes 128 Priv-Pw1"),
    ("ios", "snmp-server user ops grp v3 auth sha Auth-Pw1 priv aes 128 «Priv-Pw1»"),
    ("ios", "snmp-server host 192.0.2.51 «Trap-V1-Comm»"),
    ("ios", "snmp-server host 192.0.2.52 vrf Mgmt informs version 2c «Inform-Comm»"),
    ("ios", "aaa group server tacacs+ T\n server-private 192.0.2.9 key 7 «0703204E5A1D»"),
    ("ios", "aaa server radius dynamic-author\n client 192.0.2.8 server-key 7 «1511021F07»"),
    ("ios", "radius server ISE\n address ipv4 192.0.2.13 auth-port 1812\n key 7 «1306171F»"),
    ("ios", "radius-server key 7 «045802150C2E»"),
    ("ios", "crypto isakmp key 6 «Is4kmp-Six» address 0.0.0.0"),
    ("ios", "crypto ikev2 profile P\n authentication remote pre-shared-key «Ik2-Remote»"),
    ("ios", "crypto ikev2 keyring KR\n peer p\n  pre-shared-key local «Ik2-Local»"),
    ("ios", "interface Tunnel0\n ip nhrp authentication «Nhrp-Auth»"),
    ("ios", "vpdn-group 1\n l2tp tunnel password 0 «L2tp-Pw»"),
    ("ios", "dot1x credentials C\n username sw\n password 0 «Dot1x-Pw»"),
    ("ios", "crypto pki trustpoint TP\n password «Pki-Enroll-Pw»"),
    ("ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:ops  logged command:"
            "enable algorithm-type scrypt secret «Logged-Scrypt»"),
    ("ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:ops  logged command:"
            "snmp-server community «Logged-Comm» RO"),
    ("ios", " 12    1    ops@vty0   |username y secret 0 «Archive-Secret»"),
    ("ios", " 13    1    ops@vty0   |license smart register idtoken «Idt0ken-Abc»"),
    ("ios", "license smart register idtoken «Idt0ken-Exec» force"),
    ("iosxe", "wireless profile policy P\nwlan CORP 1 CORP\n security wpa psk set-key ascii 0 "
              "«Wlan-Psk-Key»"),
    ("iosxe", "ntp authentication-key 2 md5 «NtpXe-Key» 7"),
    ("iosxe", "crypto keyring KR\n pre-shared-key hostname peer.example key «Kr-Host-PSK»"),
    ("nxos", "snmp-server community «Nx-Comm» group network-operator"),
    ("nxos", 'radius-server host 192.0.2.14 key 7 «"Nx-Radius"» authentication accounting'),
    ("nxos", "tacacs-server key 7 «\"Nx-Global-Key\"»"),
    ("nxos", "router bgp 65000\n neighbor 192.0.2.2\n  password 3 «Nx-Bgp-3des»"),
    ("nxos", "interface Ethernet1/1\n ip ospf authentication-key 3 «Nx-Ospf-Key»"),
    ("nxos", "interface Vlan10\n hsrp 10\n  authentication md5 key-string «Nx-Hsrp»"),
    ("nxos", "ntp authentication-key 1 md5 «Nx-Ntp» 7"),
    ("iosxr", "username ops\n password 7 «Xr-Type7-Pw»"),
    ("iosxr", "tacacs-server host 192.0.2.10 port 49\n key 7 «Xr-Tacacs»"),
    ("iosxr", "snmp-server community «Xr-Comm» RO"),
    ("iosxr", "router ospf 1\n area 0\n  authentication-key encrypted «Xr-Ospf»"),
    ("iosxr", "router isis 1\n lsp-password hmac-md5 encrypted «Xr-Lsp»"),
    ("iosxr", "key chain K\n key 1\n  key-string password «Xr-Keystring»"),
    ("asa", "failover key «Asa-Failover»"),
    ("asa", "tunnel-group T ipsec-attributes\n ikev2 remote-authentication pre-shared-key "
            "«Asa-Ik2-Remote»"),
    ("asa", "tunnel-group T ipsec-attributes\n ikev2 local-authentication pre-shared-key "
            "«Asa-Ik2-Local»"),
    ("asa", "aaa-server LDAP (inside) host 192.0.2.20\n ldap-login-password «Asa-Ldap»"),
    ("asa", "snmp-server host inside 192.0.2.30 community «Asa-Snmp» version 2c"),
    ("asa", "snmp-server community «Asa-Comm»"),
    ("asa", "interface Gi0/0\n ospf message-digest-key 1 md5 «Asa-Ospf-Md5»"),
    ("asa", "interface Gi0/0\n ospf authentication-key «Asa-Ospf-Key»"),
    ("asa", "enable password «Asa-Pbkdf2» pbkdf2"),
    # IOS takes a type 0 secret to the end of the line: a passphrase is masked whole.
    ("ios", "username inspector privilege 15 password 0 «correct horse battery»"),
    ("ios", "line vty 0 4\n password 0 «two-word Passphrase»\n login"),
    ("ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:ops  logged command:"
            "username u privilege 15 secret 0 «it's \"quoted\" Phrase»"),
    # A secret that starts like a word of the device's prose is still a secret.
    ("ios", "tacacs server ISE\n key 0 «is-Tacacs-Key»"),
    ("asa", "failover key «named-Failover»"),
    ("ios", "crypto keyring KR\n pre-shared-key address 192.0.2.7 key «engine-1»"),
    # A server's key of digits alone: not a key chain's key number.
    ("ios", "tacacs server ISE\n address ipv4 192.0.2.11\n key «123456»"),
    ("ios", "tacacs-server key «93517»"),
    ("ios", "radius-server host 192.0.2.12 auth-port 1812 key «123456»"),
    ("asa", "aaa-server ISE (inside) host 192.0.2.13\n key «123456»"),
    # Type 0 runs to the end of the line whatever its words, prose-like or not.
    ("ios", "enable secret 0 «policy»"),
    ("ios", "username u password 0 «for»"),
    # An SNMP community named like a keyword is still the community, not its access.
    ("ios", "snmp-server community «password» RO"),
    # A URL's password: an archive path, a copy the configuration logger quoted.
    ("ios", "archive\n path scp://backup:«123456»@192.0.2.7/$h-$t"),
    ("ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:ops  logged command:copy running-config "
            "ftp://backup:«Pa55w0rd!x»@192.0.2.7/r1.cfg"),
]


def _config_id(case: tuple[str, str]) -> str:
    os_name, marked = case
    line = next(ln for ln in marked.splitlines() if "«" in ln)
    return f"{os_name}:{line.split('«')[0].strip()}"


@pytest.mark.parametrize("case", CONFIG_SECRETS, ids=[_config_id(c) for c in CONFIG_SECRETS])
def test_every_secret_a_configuration_prints_is_masked(case: tuple[str, str]) -> None:
    _, marked = case
    secret = marked.split("«")[1].split("»")[0]
    config = marked.replace("«", "").replace("»", "")
    text = f"Building configuration...\n!\nhostname r1\n!\n{config}\n!\nend\n"
    masked, count = redact_output(text)
    assert not [word for word in secret.split() if word in masked], masked
    assert count >= 1 and MASK in masked
    # The keyword stays, so the line still says what was there.
    assert masked.count("\n") == text.count("\n") and "hostname r1" in masked


def test_the_table_holds_sixty_formats_across_every_os() -> None:
    assert len(CONFIG_SECRETS) >= 60
    assert {os_name for os_name, _ in CONFIG_SECRETS} == {"ios", "iosxe", "nxos", "iosxr", "asa"}


def test_plain_text_is_left_alone() -> None:
    text = ("Cisco IOS XE Software, Version 17.09.04a\nuptime is 3 weeks, 2 days\n"
            "Processor board ID FOC2331X0AB\nKey Verify:  enabled\n  Password recovery enabled\n"
            "password-recovery mechanism is enabled\nkey chain OSPF\n key 1\n"
            "neighbor 192.0.2.1 send-community both\nusername ops privilege 15\n"
            "Running Permanent Activation Key: 0x0123 0x4567\n"
            "%CRYPTO_ENGINE-5-KEY_ADDITION: A key named TP-self-signed-4287125616 has been "
            "generated or imported by crypto-engine\n"
            "The flash permanent activation key is the SAME as the running permanent key.\n"
            " 238   0     203072       4800      25640          0          0 IPSEC key engine\n"
            "%AUTHPRIV-3-SYSTEM_MSG: Failed password for invalid user ops from 192.0.2.9\n"
            "%AUTHPRIV-3-SYSTEM_MSG: Failed password for invalid user key from 192.0.2.9\n"
            "key chain EIGRP\n key 10\n  key-string 7 <redacted>\n"
            "ip http client source-interface http://www.cisco.com/go/version\n"
            "%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : "
            "local database : user = ops\n")
    assert redact_output(text) == (text, 0)


# Outputs a check reads, holding the commonest passwords as words of their own.
WORDY = ("cisco WS-C3750X-48P (PowerPC405) processor with 262144K bytes of memory.\n"
         "GigabitEthernet0/1 is administratively down, line protocol is down\n"
         "Cisco Systems, Inc.\nadmin show environment\nshow interfaces\n")


# A show tech file's device text: names, numbers in interface names and addresses, paths,
# URLs, command names.
DEVICE_TEXT = ("------------------ show version ------------------\n"
               "Cisco IOS XE Software, Version 17.09.04a\ncisco C9300-48P (X86) processor\n"
               "r1 uptime is 3 weeks, 1 day\nSwitch 1 Ports 1 Model C9300-48P\n"
               "------------------ show running-config ------------------\nhostname r1\n"
               "interface GigabitEthernet1/0/1\n description uplink to r2 Gi1/0/48\n"
               " ip address 10.40.187.1 255.255.255.0\n"
               "boot system flash:/opt/cisco/XR/packages/cat9k.bin\n"
               "ip http client source-interface http://www.cisco.com/go/version\n"
               "admin show environment\nshow interfaces\n"
               "GigabitEthernet0/1 is administratively down\n")


@pytest.mark.parametrize("password", ["cisco", "Cisco", "admin", "show", "version", "down", "1",
                                      "r1", "12345678", "lab"])
def test_a_credential_the_device_may_print_is_masked_only_by_meaning_in_show_tech(
        password: str) -> None:
    assert redact_output(WORDY) == (WORDY, 0)
    for text in (WORDY, DEVICE_TEXT):
        assert redact_output(text, [password], read_by_checks=False, hostname="r1") == (text, 0)
    # Written as a note in a description or a banner, it is masked there; never the host's
    # name, which every record names anyway.
    notes = f"interface Loopback99\n description {password}\n!\nbanner motd ^C {password} ^C\n"
    masked, count = redact_output(DEVICE_TEXT + notes, [password], read_by_checks=False,
                                  hostname="r1")
    if password == "r1":
        assert (masked, count) == (DEVICE_TEXT + notes, 0)
    else:
        assert masked == DEVICE_TEXT + notes.replace(f" {password}", f" {MASK}") and count == 2


@pytest.mark.parametrize("password", ["cisco", "show", "1", "12345678"])
def test_a_credential_the_device_may_print_is_masked_in_every_note_of_show_tech(
        password: str) -> None:
    """A banner over several lines (IOS prints it to `^C`, NX-OS to the character given), the
    device's location and contact are notes an administrator wrote, as a description is: a
    common password written there was left in show tech. Device text between them, and a
    command an alias runs, stay as the device printed them."""
    notes = ("banner motd ^C\nLab access: user ops, password {0}\n{0}\n^C\n"
             "banner exec #pw {0}#\nbanner incoming ^C{0}^C\n"
             "snmp-server location {0} rack 4\nsnmp-server contact NOC, pin {0}\n")
    text = DEVICE_TEXT + notes.format(password) + "alias exec x show interfaces\n" + DEVICE_TEXT
    masked, count = redact_output(text, [password], read_by_checks=False, hostname="r1")
    assert masked == (DEVICE_TEXT + notes.format(MASK) + "alias exec x show interfaces\n"
                      + DEVICE_TEXT) and count == 6


@pytest.mark.parametrize("password", [LOGIN_PASSWORD, "cisco123", "correct horse battery"])
def test_a_credential_unlike_device_text_is_masked_wherever_it_stands_in_show_tech(
        password: str) -> None:
    text = (f"{DEVICE_TEXT}alias exec x {password}\nsnmp-server location {password}, rack 4\n"
            f"ip ftp source ftp://ops:{password}@192.0.2.7/\n")
    masked, count = redact_output(text, [password], read_by_checks=False, hostname="r1")
    assert masked == DEVICE_TEXT + text[len(DEVICE_TEXT):].replace(password, MASK) and count == 3


def test_a_credential_is_masked_as_a_whole_token_in_show_tech(tmp_path: Path) -> None:
    writer = EvidenceWriter(tmp_path / "r1", hostname="r1", platform="cisco_xe",
                            secrets=["cisco"])
    judged = writer.add("show version", WORDY)
    tech = writer.add("show tech-support", WORDY + "banner motd ^C pw cisco ^C\n",
                      compress=True, read_by_checks=False)
    assert judged.text == WORDY
    assert tech.text == WORDY + f"banner motd ^C pw {MASK} ^C\n"


# Log lines naming who tried to log in, the password typed at the username prompt among them.
LOGINS = ("%SEC_LOGIN-2-LOGIN_FAILED: Login failed [user: {0}] [Source: 192.0.2.99] "
          "[localport: 22] [Reason: Login Authentication Failed] at 00:00:01 UTC\n"
          "%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: netops] [Source: 192.0.2.9]\n"
          "RP/0/RSP0/CPU0:%SECURITY-LOGIN-4-AUTHEN_FAILED : Failed authentication attempt by "
          "user '{0}' from '192.0.2.99' on 'vty0'\n"
          "%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local "
          "database : user = {0} : user IP = 192.0.2.99\n"
          "%ASA-6-605004: Login denied from 192.0.2.99/2201 to outside:192.0.2.1/ssh for user "
          '"{0}"\n'
          "%AUTHPRIV-3-SYSTEM_MSG: pam_aaa:Authentication failed for user {0} from 192.0.2.99\n"
          "%ASA-6-611102: User authentication failed: IP address: 192.0.2.99, Uname: {0}\n"
          "%MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'cisco'.\n")


@pytest.mark.parametrize("password", [LOGIN_PASSWORD, "correct horse battery", "cisco"])
def test_a_password_logged_as_a_user_name_is_masked_in_an_output_a_check_reads(
        password: str, tmp_path: Path) -> None:
    writer = EvidenceWriter(tmp_path / "r1", hostname="r1", platform="cisco_xe",
                            secrets=[password, ENABLE_SECRET])
    log = WORDY + LOGINS.format(password)
    judged = writer.add("show logging", log)
    # Only the fields: another user's name, the same word elsewhere (a common password is
    # also a word the device prints) and a user field of another message are left alone.
    assert judged.text == WORDY + LOGINS.format(MASK), judged.text
    assert writer.redactions() == {"show logging": 6}


@pytest.mark.parametrize("read_by_checks", [True, False], ids=["show logging", "show tech"])
def test_a_host_passphrase_after_a_keyword_is_masked_whole(read_by_checks: bool) -> None:
    """IOS takes a password of several words where no type is given (`enable password a b`,
    a line's `password a b`): the syntax alone masked its first word and left the rest, and
    the whole-credential pass no longer found it."""
    phrase = "correct horse battery"
    lines = ["enable password {}", " password {}", "username u privilege 15 password {}",
             "enable secret 0 {}", "%PARSER-5-CFGLOG_LOGGEDCMD: User:u  logged command:"
             "enable password {}"]
    text = "".join(line.format(phrase) + "\n" for line in lines)
    masked, count = redact_output(text, [phrase], read_by_checks=read_by_checks)
    assert masked == "".join(line.format(MASK) + "\n" for line in lines), masked
    assert count == len(lines)


def test_the_evidence_writer_stores_only_masked_text(tmp_path: Path) -> None:
    secrets = [LOGIN_PASSWORD, ENABLE_SECRET]
    writer = EvidenceWriter(tmp_path / "r1", hostname="r1", platform="cisco_xe", secrets=secrets)
    config = (f"banner motd ^C login as inspector / {LOGIN_PASSWORD} ^C\n"
              "enable secret 0 Wr1tten-Secret\nsnmp-server community Wr1tten-Comm RO\n")
    saved = writer.add("show running-config", config, read_by_checks=False)
    tech = writer.add("show tech-support", config * 3 + ENABLE_SECRET, compress=True,
                      read_by_checks=False)
    writer.finish(Session(connected=True, privileged=True)).write()
    everything = b"".join(data for _, data in _written(tmp_path))
    for secret in (*secrets, "Wr1tten-Secret", "Wr1tten-Comm"):
        assert secret.encode() not in everything, secret
    assert saved.text is not None and saved.text.count(MASK) == 3
    assert saved.sha256 == sha256_text(saved.text)  # the hash is of what was kept
    assert writer.redactions() == {"show running-config": 3, "show tech-support": 10}
    index = json.loads((tmp_path / "r1" / "index.json").read_text())
    assert {e["command"]: e["redacted"] for e in index["commands"]} == writer.redactions()
    # What a rerun reads back is the masked text, compressed or not, with the same hash.
    capture = open_capture(tmp_path / "r1")
    assert capture.output("show running-config").sha256 == saved.sha256
    assert capture.output("show tech-support").text == tech.text


@pytest.mark.parametrize(("error", "passwords"), [
    ("timed out waiting for the CLI prompt after login", ["timed"]),
    ("timed out after 1 s during `show version`", ["1"]),
    ("enable secret refused", ["enable", "secret"]),
    ("connection lost during `show version`: OSError: broken pipe", ["lost", "show", "pipe"]),
])
def test_a_message_of_ours_is_never_masked_word_by_word_for_a_common_password(
        error: str, passwords: list[str]) -> None:
    """A common password is also one of our own words: masked as a token, "timed out after
    1 s" read "*** out after *** s", in the record and the summary. As in an output a check
    reads, it is masked only where a login message names it as its user."""
    assert redact_message(error, passwords) == error
    login = f"authentication failed: Login failed [user: {passwords[0]}]"
    assert redact_message(login, passwords) == "authentication failed: Login failed [user: ***]"


@pytest.mark.parametrize("password", [LOGIN_PASSWORD, "correct horse battery"])
def test_a_message_masks_a_credential_but_never_inside_a_command_we_sent(
        password: str, tmp_path: Path) -> None:
    error = f"connection lost during `show version`: OSError: {password} `a {password}`"
    masked = redact_message(error, [password])
    assert password not in masked and "`show version`" in masked, masked
    # The index says it as the record does, in the command's entry and the session's error.
    writer = EvidenceWriter(tmp_path / "r1", hostname="r1", platform="cisco_xe",
                            secrets=[password])
    writer.add_failure("show version", error)
    writer.finish(Session(connected=True, privileged=True, error=masked)).write()
    index = json.loads((tmp_path / "r1" / "index.json").read_text())
    assert index["commands"][0]["error"] == index["session"]["error"] == masked
