"""Removing secrets from device outputs before they are written anywhere.

`show tech-support`, configuration sections and the configuration change log print enable
secrets, user passwords, SNMP communities, TACACS+/RADIUS keys, NTP keys and pre-shared keys,
in clear or as reversible type 7 hashes. Each is replaced by `<redacted>` and counted, so a
record can say what was removed. Masking too much is a lesser harm than leaking one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "<redacted>"
_N = r"(?:[0-9]+[ \t]+)?"  # an encryption type (0, 5, 7, 8, 9, 10) before a secret

# Each configuration line that carries a secret: the part kept (so the line still reads),
# then the secret. Every one starts a line, which keeps one pass over a multi-megabyte
# show tech file fast (a pattern that may start anywhere costs a scan per pattern); `[ \t]`
# rather than `\s`, so no pattern reaches into the next line.
_SECRET_LINES = [
    rf"(?:enable|username \S+(?: privilege \d+)?)[ \t]+(?:secret|password)[ \t]+{_N}",
    # IOS `line` blocks (password 7 X), IOS-XR username blocks (secret 10 $6$...), XR BGP
    # neighbors (password encrypted X)
    r"(?:password|secret)[ \t]+(?:[0-9]+[ \t]+|encrypted[ \t]+)?",
    r"snmp-server community[ \t]+",
    r"snmp-server user \S+ \S+(?: v3)? auth \S+[ \t]+",
    r"snmp-server host[ \t]+\S+(?:[ \t]+vrf[ \t]+\S+)?(?:[ \t]+(?:informs|traps))?"
    r"[ \t]+version[ \t]+(?:1|2c)[ \t]+",
    # a key anywhere on a tacacs/radius host line (after auth-port, port, timeout ...)
    rf"(?:tacacs-server|radius-server)[ \t]+(?:host[ \t]+[^\n]*?[ \t])?key[ \t]+{_N}",
    # `key 7 X` in a server block; not `key chain NAME`, not a key chain's `key 1`
    rf"key[ \t]+(?!chain\b)(?![0-9]+[ \t]*$){_N}",
    rf"crypto isakmp key[ \t]+{_N}",
    rf"pre-shared-key[ \t]+(?:address|hostname)[ \t]+[^\n]*?[ \t]key[ \t]+{_N}",
    rf"(?:ikev[12][ \t]+)?pre-shared-key[ \t]+(?:local[ \t]+|remote[ \t]+)?{_N}",
    r"passwd[ \t]+",
    rf"(?:neighbor \S+ password|key-string|ip ospf authentication-key"
    rf"|ip ospf message-digest-key \d+ md5)[ \t]+{_N}",
    r"ntp authentication-key[ \t]+\d+[ \t]+md5[ \t]+",
]
_SECRET = re.compile(
    "|".join(rf"^(?P<k{i}>[ \t]*{keep})(?P<s{i}>\S+)" for i, keep in enumerate(_SECRET_LINES)),
    re.MULTILINE,
)
# The privacy password later on an snmp-server user line.
_SNMP_PRIV = re.compile(
    r"^(?P<k>[ \t]*snmp-server user [^\n]*? priv "
    r"(?:(?:aes|des|3des)[ \t]+(?:[0-9]+[ \t]+)?)?)(?P<s>\S+)",
    re.MULTILINE)
# The configuration logger repeats every command typed, secrets in clear: judge the command.
_LOGGED = re.compile(r"^(?P<head>[^\n]*?\blogged command:[ \t]*)(?P<cmd>[^\n]*)$", re.MULTILINE)


def redact_output(text: str, known_secrets: Iterable[str] = ()) -> tuple[str, int]:
    """Return the text with secrets masked, and how many items were masked."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        group = match.lastgroup or "s"
        if match.group(group) == MASK:
            return match.group(0)
        count += 1
        return match.group(0)[: match.start(group) - match.start()] + MASK

    def logged(match: re.Match[str]) -> str:
        cmd = _SNMP_PRIV.sub(mask, match.group("cmd"))
        return match.group("head") + _SECRET.sub(mask, cmd)

    if "logged command:" in text:
        text = _LOGGED.sub(logged, text)
    text = _SNMP_PRIV.sub(mask, text)
    text = _SECRET.sub(mask, text)
    for secret in sorted({s for s in known_secrets if s}, key=len, reverse=True):
        n = text.count(secret)
        if n:
            count += n
            text = text.replace(secret, MASK)
    return text, count
