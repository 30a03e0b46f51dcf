"""Removing secrets from device outputs before they are written anywhere.

Secrets are found by what they are: the configuration syntax that carries them on IOS, IOS-XE,
NX-OS, IOS-XR and ASA (enable secrets, user and line passwords, SNMP communities and users,
TACACS+/RADIUS keys, IKE pre-shared keys, routing-protocol and HSRP/VRRP keys, NTP keys, WPA
keys, license tokens, the password of a URL), anywhere in a line, so a command quoted by the
configuration logger or the archive log (`logged command:enable secret 0 X`, `|username y
secret 0 X`) is masked too.
Only the secret is replaced by `<redacted>` (a token, a quoted string, or an IOS type 0
secret, which runs to the end of its line, spaces included); the keyword stays, so the line
still says what was there, and nothing else in the output changes: what a check reads is what
the device said.

The inventory's own credentials are masked, in that host's evidence only, by meaning too:
where a login or authentication message names one as its user (`Login failed [user: X]`:
typed at the username prompt), in every output. Only in outputs no check reads (`show
tech-support`) are they also masked as whole tokens (never inside a word or name: the password
`admin` leaves "administratively down" alone), and then only a credential unlike the device's
own text: one of 8 characters or more, not a word alone nor a number alone, nor the host's
name. A common password such as `cisco`, `show` or `1` is also what the device prints ("cisco
C9300-48P processor", `show version`, `GigabitEthernet1/0/1`, `10.0.0.1`), so as a token it is
masked only where an administrator writes free text, a description or a one-line banner. In
an output a check reads, a credential can only appear as configuration, which the syntax finds,
or in a login message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial

from inspector.readonly import NotReadOnly, require_read_only

MASK = "<redacted>"

# Words between a keyword and its secret: an encryption type (0, 5, 7, 8, 9, 10), a hash or
# cipher name, a key's direction. Each is optional; the regex backtracks when the secret
# itself looks like one (`password 7`).
_MODIFIER = (r"(?:[0-9]{1,2}|encrypted|clear|unencrypted|ascii|hex|md5|hmac-md5|sha|sha1|"
             r"sha-?256|sha-?512|text|local|remote|password|aes(?:[ \t]+[0-9]{3})?|des|3des)")
# Tokens that follow a keyword without being a secret: `key chain NAME`, `password encryption
# aes`, `pre-shared-key address A key X` (the secret comes after `key`), `crypto key generate`;
# and the words of the device's own prose after a keyword, which no configuration puts there:
# `%CRYPTO_ENGINE-5-KEY_ADDITION: A key named TP-self-signed-...`, ASA's "activation key is
# the SAME as the running permanent key", the process `IPSEC key engine`, the login messages'
# "Failed password for", "Invalid password : local database", and a user of that name in
# "invalid user password from". Masking them would change what a check reads. An SNMP
# community's access (`community S RO`) is not its string either: the string is the word
# before it, whatever it is (`community password RO`).
_NOT_SECRET = (r"(?!(?:chain|config-key|generate|encryption|address|hostname|exchange|size|"
               r"pubkey-chain|storage|zeroize|import|export|policy|recovery|named|is|engine|"
               r"for|from|RO|RW|:|<redacted>)(?![\w-]))")
# IOS takes a type 0 (clear) password or secret to the end of the line, spaces and quotes
# included (`username u password 0 correct horse battery`), and prints it so: all of it is
# the secret, whatever words it is made of (`enable secret 0 policy`). Every other secret is
# one token, or a quoted string.
_SECRET_TOKEN = (r'(?P<secret>(?:(?<=password[ \t]0[ \t])|(?<=secret[ \t]0[ \t]))'
                 rf'(?!{re.escape(MASK)})[^\n]*[^\s]|{_NOT_SECRET}(?:"[^"\n]*"|\S+))')
# A keyword is a whole word: not inside `send-community`, `password-recovery`, `privilege`.
_KEYWORDS = "|".join((
    r"[\w-]*password",  # password, area-password, ldap-login-password, lsp-password ...
    r"passwd",
    r"[\w-]*secret",  # secret, shared-secret
    r"key-string",
    r"[\w-]*pre-shared-key",
    r"authentication-key",
    r"message-digest-key[ \t]+[0-9]+",
    r"server-key",
    r"set-key",
    r"wpa-psk",
    r"idtoken",
    r"community",
    r"key(?![ \t]+[0-9]+[ \t]*$)",  # not a key chain's `key 1`
    r"authentication(?=[ \t]+text[ \t])",  # HSRP / VRRP `authentication text X`
    r"nhrp[ \t]+authentication",
    r"auth(?=[ \t]+(?:md5|sha)\S*[ \t])",  # SNMPv3 user `auth md5 X`
    r"priv",  # SNMPv3 user `priv [aes 128] X`
))
# A secret already masked is never followed by another: the modifier before it (`secret 0
# <redacted>`) is not taken for one.
_BY_KEYWORD = (rf"(?<![\w-])(?P<keep>(?:{_KEYWORDS})(?![\w-])(?:[ \t]+{_MODIFIER})*[ \t]+)"
               rf"{_SECRET_TOKEN}(?![ \t]+{re.escape(MASK)})")
# An SNMP host line carries its community without a keyword: `snmp-server host A [vrf V]
# [informs|traps] [version 1|2c] COMMUNITY` (version 3 names a user there, not a secret).
_SNMP_HOST = (r"(?<![\w-])(?P<keep2>snmp-server[ \t]+host[ \t]+(?![^\n]*\bcommunity\b)\S+"
              r"(?:[ \t]+vrf[ \t]+\S+)?"
              r"(?:[ \t]+(?:informs|traps))?(?:[ \t]+version[ \t]+(?:1|2c))?[ \t]+)"
              r"(?!version|informs|traps|vrf|community)(?P<secret2>\S+)")
# A URL's password, between its user and its host: `scp://backup:X@192.0.2.7/...` in an
# archive path or a copy the configuration logger quoted.
_URL_PASSWORD = r"(?<=://)(?P<keep3>[^/\s:@]+:)(?P<secret3>[^/\s@]+)(?=@)"
# A TACACS+ or RADIUS server's key of digits alone, which the `key` keyword leaves for a key
# chain's key number: `tacacs-server key 123456`, `radius-server host A key 123456`. (A key
# of digits on a line of its own, in a server's block, is `_BARE_DIGIT_KEY`'s.)
_SERVER_DIGIT_KEY = (r"(?<![\w-])(?P<keep4>(?:tacacs-server|radius-server|server-private)"
                     r"(?:[ \t]+\S+)*?[ \t]+key[ \t]+)(?P<secret4>[0-9]+)(?=[ \t]*$)")
_SECRET = re.compile(f"{_BY_KEYWORD}|{_SNMP_HOST}|{_URL_PASSWORD}|{_SERVER_DIGIT_KEY}")
# Lines worth the full pattern: one fast substring scan finds them in a multi-megabyte
# show tech file, where running the pattern from every position would cost a second.
_TRIGGERS = ("password", "passwd", "secret", "key", "community", "idtoken", "psk", "priv",
             "auth", "snmp-server", "login", "://")
# A line that is only `key N`: a key chain's key number, or, in a TACACS+, RADIUS or ASA
# aaa-server block, the server's key.
_BARE_DIGIT_KEY = re.compile(r"^(?P<indent>[ \t]*)key[ \t]+[0-9]+[ \t]*$")
_KEY_CHAIN = re.compile(r"[ \t]*key[ \t]+chain(?![\w-])")

# A login or authentication message names who tried: IOS `Login failed [user: X]`, IOS-XR
# `authentication ... by user 'X'`, NX-OS `for invalid user X from`, ASA `user = X`, `for
# user "X"` and `Uname: X`. Whoever types the password at the username prompt has it logged
# there, in an output a check reads (op.logging.critical quotes a critical line whole). The
# field is masked when it is one of the host's credentials, whole (spaces included), and only
# then: a user name is no secret, and any other field cannot be told from a user name.
_LOGIN_MESSAGE = re.compile(r"login|auth", re.IGNORECASE)


def _user_field(secret: str) -> re.Pattern[str]:
    s = re.escape(secret)
    return re.compile(rf"(?<![\w-])(?P<keep>(?i:user(?:name)?|uname)"
                      rf"(?::[ \t]*|[ \t]*=[ \t]*|[ \t]+))"
                      rf"(?:(?P<quote>['\"]){s}(?P=quote)|{s}(?![^\s\],;)]))")


def _masked_field(field: re.Match[str], mask: str = MASK) -> str:
    """A login message's user field that `_user_field` found, its value masked."""
    quote = field["quote"] or ""
    return f"{field['keep']}{quote}{mask}{quote}"


def _phrase_after_keyword(secret: str) -> re.Pattern[str]:
    """A host credential of several words (`correct horse battery`) after a secret's keyword,
    where the syntax alone takes only its first word (`enable password correct horse
    battery`, a line's `password a b`): the whole of it."""
    return re.compile(rf"(?<![\w-])(?P<keep>(?:{_KEYWORDS})(?![\w-])(?:[ \t]+{_MODIFIER})*"
                      rf"[ \t]+){re.escape(secret)}(?![\w-])")


def _mask_line(line: str, fields: list[re.Pattern[str]],
               phrases: list[re.Pattern[str]]) -> tuple[str, int]:
    """The line with its secrets masked by syntax (first the host's credentials of several
    words that `phrases` find after a keyword), and the user field of a login message masked
    where one of `fields` finds it."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        keep = next(match[group] for group in ("keep", "keep2", "keep3", "keep4")
                    if match[group] is not None)
        return keep + MASK

    def mask_field(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return _masked_field(match)

    for phrase in phrases:
        line = phrase.sub(mask, line)
    line = _SECRET.sub(mask, line)
    if fields and _LOGIN_MESSAGE.search(line):
        for field in fields:
            line = field.sub(mask_field, line)
    return line, count


def _in_key_chain(text: str, start: int, bare: re.Match[str]) -> bool:
    """Whether the line `key N` at `start` is a key chain's key number: its block (the line
    above it less indented) is `key chain NAME`. Anywhere else (`tacacs server`, `radius
    server`, ASA `aaa-server`) N is the server's key."""
    indent = len(bare["indent"].expandtabs())
    end = start - 1
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            return bool(_KEY_CHAIN.match(line))
        end = begin - 1
    return False


def _candidate_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line holding a trigger word, in order."""
    lowered = text.lower()
    starts: set[int] = set()
    for word in _TRIGGERS:
        at = lowered.find(word)
        while at >= 0:
            start = lowered.rfind("\n", 0, at) + 1
            end = lowered.find("\n", at)
            end = len(lowered) if end < 0 else end
            starts.add(start)
            at = lowered.find(word, end)
    spans = []
    for start in sorted(starts):
        end = text.find("\n", start)
        spans.append((start, len(text) if end < 0 else end))
    return spans


def _whole_token(secret: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(secret)}(?![\w-])")


# Free text an administrator wrote, where a password is left as a note: an interface's
# description, the device's location and contact, a banner to its closing delimiter (as the
# configuration prints it: `^C` on IOS, the character given on NX-OS), over as many lines
# as it takes, or a banner's line where it is never closed.
_FREE_TEXT = re.compile(
    r"^[ \t]*banner[ \t]+[\w-]+[ \t]+(?P<delimiter>\^C|[^\s\w])(?P<body>(?s:.*?))"
    r"(?P=delimiter)"
    r"|^[ \t]*(?:description|banner|snmp-server[ \t]+(?:location|contact))[ \t].*$",
    re.MULTILINE)


def _device_like(secret: str) -> bool:
    """A credential the device's own text may hold: a word (`cisco`, `show`, `version`) or a
    number (`1`: interface names, addresses, PIDs) or anything short. Found as a token, it
    cannot be told from the device's words, so only its meaning finds it: configuration
    syntax, a login message's user field, a free-text line."""
    return len(secret) < 8 or secret.isalpha() or secret.isdigit()


def _in_free_text(text: str, secret: str) -> tuple[str, int]:
    """`text` with `secret` masked where it is a blank-delimited word of free text (a banner's
    between its delimiters)."""
    word = re.compile(rf"(?<!\S){re.escape(secret)}(?!\S)")
    count = 0

    def mask(free: re.Match[str]) -> str:
        nonlocal count
        if free["body"] is None:
            masked, n = word.subn(MASK, free[0])
        else:
            body, n = word.subn(MASK, free["body"])
            masked = free[0][:free.start("body") - free.start()] + body + free["delimiter"]
        count += n
        return masked

    return _FREE_TEXT.sub(mask, text), count


def redact_output(text: str, credentials: Iterable[str] = (), *, read_by_checks: bool = True,
                  hostname: str = "") -> tuple[str, int]:
    """The text with every secret masked by its syntax, each of `credentials` (the host's own)
    masked where a login message names it as its user and, in an output no check reads, as a
    whole token (one the device's text may hold only in a free-text line); and how many were
    masked. A credential equal to `hostname` is never masked as a token: the host's name is in
    every record anyway, and masking it would unname the chassis."""
    secrets = sorted({s for s in credentials if s}, key=len, reverse=True)
    fields = [_user_field(secret) for secret in secrets]
    phrases = [_phrase_after_keyword(secret) for secret in secrets
               if any(c.isspace() or c == '"' for c in secret)]
    count = 0
    pieces: list[str] = []
    done = 0
    for start, end in _candidate_lines(text):
        masked, n = _mask_line(text[start:end], fields, phrases)
        if (bare := _BARE_DIGIT_KEY.match(masked)) and not _in_key_chain(text, start, bare):
            masked, n = f"{masked[:bare.end('indent')]}key {MASK}", n + 1
        if n:
            pieces += [text[done:start], masked]
            done = end
            count += n
    if pieces:
        text = "".join(pieces) + text[done:]
    for secret in () if read_by_checks else secrets:
        if secret == hostname:
            continue
        if _device_like(secret):
            text, n = _in_free_text(text, secret)
        else:
            text, n = _whole_token(secret).subn(MASK, text)
        count += n
    return text, count


# A command a message of ours quotes (`connection lost during `show version``).
_QUOTED = re.compile(r"(`[^`\n]*`)")


def _sent(quoted: str) -> bool:
    """Whether a quoted span is a command the read-only gate lets through: one we send, from
    the catalogue, never a secret (the password `show` leaves `show version` alone)."""
    try:
        require_read_only(quoted[1:-1])
    except NotReadOnly:
        return False
    return True


def redact_message(text: str, credentials: Iterable[str]) -> str:
    """A message of our own (a session's error) with the host's credentials masked as whole
    tokens, but for the commands it quotes; a credential our own words may be (`timed`,
    `enable`, `1`: see `_device_like`) only where a login message names it as its user, as in
    an output a check reads, so that "timed out after 1 s" still says so."""
    secrets = sorted({s for s in credentials if s}, key=len, reverse=True)
    parts = _QUOTED.split(text)  # odd parts are the quoted spans
    for index, part in enumerate(parts):
        if index % 2 and _sent(part):
            continue
        for secret in secrets:
            if not _device_like(secret):
                part = _whole_token(secret).sub("***", part)
            elif _LOGIN_MESSAGE.search(part):
                part = _user_field(secret).sub(partial(_masked_field, mask="***"), part)
        parts[index] = part
    return "".join(parts)
