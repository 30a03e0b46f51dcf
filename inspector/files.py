"""Writing files so that a crash never leaves half a record or half an output on disk."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any


class StorageError(Exception):
    """The disk refused a write (full, read-only, no permission): nothing the chassis did, and
    nothing a retry fixes. Not an OSError, so no handler of a session's network trouble takes
    it for one."""


# sha256 of every file this process wrote, or found as signed, by inode: the file's size,
# mtime and digest packed in one bytes object (about 165 bytes a file, where a path-keyed
# entry of strings took 450: a 10,000-chassis run writes 240,000 files). What a run signs as
# its own work is what is here (`known_digest`).
_digests: dict[int, bytes] = {}
# The same of every other file it hashed: read, not vouched for (a record changed by someone
# else is hashed to draw its report pieces).
_read: dict[int, bytes] = {}
# The digests another process of the run handed over, by folder: each file's inode, size,
# mtime and digest packed in 64 bytes, a folder's files in one bytes object. A judge worker
# hands over a chassis's whole evidence folder at once (24 files): kept as one entry of
# `_digests` a file, they were nearly all that the run's process gained a chassis, 40 MB at
# 10,000 chassis.
_handed: dict[str, bytes] = {}
_PACKED = 64  # inode key (16 bytes), stamp (16), sha256 (32)


def _file_key(st: os.stat_result) -> int:
    return st.st_dev << 64 | st.st_ino


def _stamp(st: os.stat_result) -> bytes:
    return st.st_size.to_bytes(8, "little") + st.st_mtime_ns.to_bytes(8, "little", signed=True)


# The temporary file is named by the process and thread that write it, so no other writer
# can be at it: it is opened with O_TRUNC, not made by mkstemp, which costs a random name and
# a retry loop on every one of a run's twenty thousand files.
_TMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: Path, data: bytes | bytearray, *, sync: bool = True) -> None:
    """Write to a temporary file beside `path`, fsync it, then rename it into place.

    `sync=False`: not synced at all, for a file that is only a cache (a crash that loses it
    loses nothing: it is drawn again). Files that must be on disk before another names
    them are written with `write_together`."""
    _write_in_place([(path, data)], sync=sync)


def write_together(files: Sequence[tuple[Path, bytes | bytearray]]) -> None:
    """Write each file to a temporary file beside it, fsync them all at once, then rename each
    into place in the order given. A file is whole under its name or absent, and it is under
    its name only once every file of the batch is synced, so an index listed after the files
    it names never names one that is not on disk. (The renames reach the disk with the
    journal commit of the next fsync, as those of `atomic_write` do.) One wait on the disk
    for a chassis's outputs, its evidence index and its context, where the index and the
    context were a wait each, on the judge worker's lane."""
    _write_in_place(files, sync=None)


def _write_in_place(files: Sequence[tuple[Path, bytes | bytearray]], *, sync: bool | None) -> None:
    """`sync`: fsync each file as it is written (True), not at all (False), or the batch
    together before the first rename (None)."""
    pending: list[tuple[str, Path]] = []  # each temporary file, with its place
    digests: list[tuple[int, bytes]] = []
    renamed = 0
    path = files[0][0] if files else Path()
    try:
        for path, data in files:
            pending.append((_temporary(path), path))
            st = _write_file(pending[-1][0], data, sync=sync is True)
            # The run's seal hashes every file it wrote; hashing the bytes now, while the
            # sessions go on, spares the end of a 1000-chassis run about a second of reading
            # them back.
            digests.append((_file_key(st), _stamp(st) + hashlib.sha256(data).digest()))
        if sync is None:
            list(_syncers().map(_sync, pending))
        for (tmp, path), (key, digest) in zip(pending, digests, strict=True):
            os.replace(tmp, path)
            renamed += 1
            _digests[key] = digest
    except BaseException as exc:
        for tmp, _ in pending[renamed:]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


def _temporary(path: Path) -> str:
    return f"{path.parent}/.{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"


def link_into_place(source: Path, target: Path) -> None:
    """`target` made the very file `source` is (a hard link), linked beside it under a
    temporary name and renamed into place: whole as it was or as `source`, never between;
    `source` stays where it is."""
    temporary = _temporary(target)
    os.link(source, temporary)
    os.replace(temporary, target)
    # Renaming a link onto another link of the same file does nothing, and leaves both.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


_TEMPORARY = re.compile(r"\..+\.\d+-\d+\.tmp")


def looks_temporary(name: str) -> bool:
    """Whether a file name is one `_temporary` gives: what a write killed outright leaves."""
    return bool(_TEMPORARY.fullmatch(os.path.basename(name)))


def _write_file(tmp: str, data: bytes | bytearray, *, sync: bool) -> os.stat_result:
    """Write `data` to the file `tmp` (making its folder if need be); its stat once written."""
    try:
        fd = os.open(tmp, _TMP_FLAGS, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(tmp), exist_ok=True)
        fd = os.open(tmp, _TMP_FLAGS, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
        return os.fstat(fd)
    finally:
        os.close(fd)


def _sync(item: tuple[str, Path]) -> None:
    """fsync the temporary file at `item[0]`, written for `item[1]` (the name a refusal
    gives)."""
    written, path = item
    try:
        fd = os.open(written, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from exc


_syncer: tuple[int, ThreadPoolExecutor] | None = None
_syncer_lock = threading.Lock()


def _syncers() -> ThreadPoolExecutor:
    """This process's fsync threads (a forked child has none of its parent's)."""
    global _syncer
    with _syncer_lock:
        if _syncer is None or _syncer[0] != os.getpid():
            _syncer = (os.getpid(), ThreadPoolExecutor(8, thread_name_prefix="fsync"))
        return _syncer[1]


def sha256_file(path: str | Path, st: os.stat_result | None = None) -> str:
    """The file's sha256, hashed once per process while the file stays as it was: a rerun
    checks the records against the signed manifest, and the reports need the same hashes.
    (Every write of ours replaces a file, a new inode, so a rewritten file is hashed anew.)
    `st`: the file's stat, where the caller has just taken it."""
    if st is None:
        st = os.stat(path)
    key, stamp = _file_key(st), _stamp(st)
    known = _digests.get(key) or _read.get(key) or _handed_digest(os.path.dirname(path), key)
    if known is None or known[:16] != stamp:
        with open(path, "rb") as handle:
            known = stamp + hashlib.file_digest(handle, "sha256").digest()
        _read[key] = known
    return known[16:].hex()


def read_hashed(path: str | Path, st: os.stat_result) -> tuple[bytes, str]:
    """The file's bytes and sha256 from one read, known to `sha256_file` from then on: for a
    file both hashed and read (`verify` reads a run's records as it checks their digests).
    `st`: the file's stat, just taken."""
    with open(path, "rb") as handle:
        data = handle.read()
    digest = hashlib.sha256(data).digest()
    _read[_file_key(st)] = _stamp(st) + digest
    return data, digest.hex()


def read_hashed_lines(path: str | Path, st: os.stat_result, read: Callable[[bytes], None],
                      block: int = 1 << 20) -> str:
    """The file's sha256, its bytes given to `read` a block of whole lines at a time as they
    are hashed: for a file both hashed and read that is too large to hold at once (a run's
    report). Known to `sha256_file` from then on. `st`: the file's stat, just taken."""
    digest = hashlib.sha256()
    rest = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
            lines, newline, rest = (rest + chunk).rpartition(b"\n")
            if newline:
                read(lines)
    if rest:
        read(rest)
    _read[_file_key(st)] = _stamp(st) + digest.digest()
    return digest.hexdigest()


def vouch_for(path: str | Path, st: os.stat_result | None = None) -> str:
    """The file's sha256 (`sha256_file`), and the file known from now on as this process's
    own, as it is: one it just wrote otherwise than by `atomic_write` (a report), or found as
    signed. `st`: the file's stat, where the caller has just taken it."""
    if st is None:
        st = os.stat(path)
    digest = sha256_file(path, st)
    if (key := _file_key(st)) in _read:
        _digests[key] = _read.pop(key)
    return digest


def known_digest(path: str, found_whole: Counter[str] | None = None, *,
                 new: bool = False) -> str | None:
    """The sha256 of the plain file at `path` as this process wrote it, was handed it by a
    judge worker that wrote it, or vouched for it, if the file is still as it was then (its
    inode, size and mtime); None for any other file, one merely hashed included, read
    nothing: what a run signs as its own work is what it knows is its own.
    `new`: a path the run's seal does not list, where a file of ours has no other name (every
    file is written anew and renamed into place): one linked there, or from there, by someone
    else is not taken for ours. (A signed file may have two: `store.rewriting` keeps it.)
    `found_whole`: counts, by folder, each file found as a folder handed whole has it (see
    `whole_folders`)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or (new and st.st_nlink > 1):
        return None
    key, stamp = _file_key(st), _stamp(st)
    if (known := _digests.get(key)) is None:
        folder = os.path.dirname(path)
        known = _handed_digest(folder, key)
        if known is not None and known[:16] == stamp and found_whole is not None:
            found_whole[folder] += 1
    return known[16:].hex() if known is not None and known[:16] == stamp else None


def _handed_digest(folder: str, key: int) -> bytes | None:
    """The stamp and digest handed over for the file `key` in `folder`, if any."""
    packed = _handed.get(folder, b"")
    wanted = key.to_bytes(16, "little")
    at = packed.find(wanted)
    while at > 0 and at % _PACKED:  # found inside another file's digest: look on
        at = packed.find(wanted, at + 1)
    return None if at < 0 else packed[at + 16:at + _PACKED]


def hand_over_digests(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    """What this process knows of the sha256 of `paths` (files it wrote or hashed), taken out
    of its cache for another process of the run to `adopt_digests`, packed by folder: a judge
    worker writes each record and evidence folder, the run's end would otherwise read every
    file back to sign it, and the worker, which never reads them again, keeps nothing of them."""
    folders: dict[str, bytearray] = {}
    for path in paths:
        with contextlib.suppress(OSError):
            key = _file_key(os.stat(path))
            if (known := _digests.pop(key, None)) is not None:
                packed = folders.setdefault(os.path.dirname(path), bytearray())
                packed += key.to_bytes(16, "little") + known
    return [(folder, bytes(packed)) for folder, packed in folders.items()]


def adopt_digests(handed: Iterable[tuple[str, bytes]], *, whole: Container[str] = ()) -> None:
    """Take `hand_over_digests` of another process (or of this one). Each stays bound to its
    file's inode, size and mtime, as one hashed here is: a file changed since is hashed anew
    when asked for. A folder's lone file (a record, its report pieces) is kept as any digest
    is: packed with every other chassis's, the folder of records would be one long string
    searched for each. `whole`: folders whose files handed over are all that was written
    there (a chassis's evidence), kept packed even alone, so the seal can tell one is gone."""
    for folder, packed in handed:
        if len(packed) == _PACKED and folder not in whole:
            _digests[int.from_bytes(packed[:16], "little")] = packed[16:]
        else:
            before = _handed.get(folder)
            _handed[folder] = packed if before is None else before + packed


def whole_folders() -> Iterator[tuple[str, int]]:
    """Each folder whose files were handed over (`adopt_digests`), with how many: a file
    written there and since removed, or changed, is one fewer found as handed
    (`known_digest`'s `found_whole`)."""
    for folder, packed in _handed.items():
        yield folder, len(packed) // _PACKED


def write_json(path: Path, document: Any) -> None:
    atomic_write(path, json_bytes(document))


def json_bytes(document: Any) -> bytes:
    """A JSON file's bytes, as every JSON file of a run is written."""
    return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode()


def read_text(path: Path, named: str, error: type[ValueError] = ValueError,
              encoding: str = "utf-8") -> str:
    """A file the user gave, as text. Why it cannot be read (no such file, a folder, not
    UTF-8) is one line naming it as `named` (`--policy FILE`), raised as the caller's own
    `error`: exit 3, never a traceback."""
    try:
        return path.read_text(encoding=encoding)
    except IsADirectoryError:
        raise error(f"{named} is a folder, not a file") from None
    except OSError as exc:
        raise error(f"{named}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{named} is not UTF-8 text (byte {exc.start})") from None


def read_yaml(path: Path, named: str, error: type[ValueError] = ValueError,
              load: Callable[[str], Any] | None = None) -> Any:
    """A YAML file the user gave, loaded by `load` (PyYAML's safe_load unless given: the
    inventory's files are read with ruamel, as Nornir reads them), read as `read_text`
    reads it. A syntax error is one line (its problem and where), not a parser's eight; a
    document nested deeper than the parser's recursion reaches is one line too; a document
    whose aliases expand it far beyond its size (a "billion laughs") is refused before
    anything walks it and runs out of memory."""
    import yaml
    from ruamel.yaml.error import YAMLError

    text = read_text(path, named, error)
    try:
        document = (load or yaml.safe_load)(text)
    except (yaml.YAMLError, YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem = _QUOTED_VALUES.sub("", problem)
        raise error(f"{named} is not valid YAML: {problem}{where}") from None
    except RecursionError:
        raise error(f"{named}: its values are nested too deeply to read") from None
    if _expands_beyond(document, 10 * len(text) + 1000):
        raise error(f"{named}: its aliases expand it to over ten times its size")
    return document


# How deep a YAML document the user gives may nest. Python's parsers (PyYAML's, ruamel's pure
# one) give up near 500 levels, at the interpreter's recursion limit, with a RecursionError;
# ruamel's C parser, with which Nornir reads an inventory, recurses in C and crashes its
# process near 25,000 (on an 8 MB stack; sooner on a thread's). An inventory nests a handful.
DEEPEST_YAML = 1000


def load_yaml_in_c(text: str) -> Any:
    """`text` loaded by ruamel's safe loader with its C parser, as Nornir's SimpleInventory
    loads a file, except that a document nested too deeply to load raises the RecursionError
    Python's parsers raise (`require_shallow_yaml`) rather than crashing the process."""
    import ruamel.yaml

    require_shallow_yaml(text)
    return ruamel.yaml.YAML(typ="safe").load(text)


def require_shallow_yaml(text: str) -> None:
    """Raise the RecursionError Python's parsers raise (which `read_yaml` reports) for a
    document nested deeper than `DEEPEST_YAML`. Measured on the parser's events, which
    libyaml makes one at a time without recursing: about a tenth of a load's time."""
    import ruamel.yaml
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    for event in ruamel.yaml.YAML(typ="safe").parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > DEEPEST_YAML:
                raise RecursionError(f"nested over {DEEPEST_YAML} levels deep")
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


# What a problem quotes of the document that may be a secret: a key said twice is quoted with
# both its values (a password's, in an inventory), and an unquoted password YAML reads as a
# tag (`!Pa55word`), a tag handle (`!Pa55!word`) or an alias (`*Pa55word`) by its name.
_QUOTED_VALUES = re.compile(r" with value .*|(?:(?<= tag)|(?<= alias)|(?<= handle)) ['\"].*",
                            re.DOTALL)


def _expands_beyond(document: Any, limit: int) -> bool:
    """Whether `document` holds more than `limit` values with its aliases expanded. An
    alias shares its anchor's value, so each is counted every time it is reached, as
    whatever reads the document reaches it; without aliases a document holds fewer values
    than characters."""
    count = 0
    stack = [document]
    while stack:
        value = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            stack += value
    return False


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


# A name that is a file name as it stands, on every filesystem: no separator, no leading dot,
# well within the 255-byte limit. `~` is outside it, so a plain name never looks derived.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def safe_name(name: str) -> str:
    """A host name as one file name that no other host name maps to: a plain name is kept as
    it is; any other (a separator, `..`, spaces, 400 bytes) keeps its safe characters, cut to
    a length every filesystem takes, followed by `~` and a digest of the whole name, so `a/b`
    and `a_b` never share a file."""
    if _PLAIN.fullmatch(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip("._-")[:80]
    return f"{cleaned}~{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}"


def ascii_number(text: str) -> int | None:
    """The number `text` writes in ASCII digits alone (a port), else None: `int()` refuses a
    digit such as `²`, which `isdigit` takes, and reads `२२` as 22, which `isdecimal` takes."""
    return int(text) if text.isascii() and text.isdecimal() else None


def is_plain_name(name: str) -> bool:
    """A name fit to be a folder as it is (a run id): letters, digits, `.`, `_`, `-`."""
    return bool(_PLAIN.fullmatch(name))


def hostname_key(name: str) -> str:
    """What tells host names apart as people read and type them: not case, nor the Unicode
    form a letter is written in (`é` as one character, as most keyboards type it, or as `e`
    and a combining accent, as macOS names files). Unicode's canonical caseless match."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def colliding_names(names: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of names one run cannot hold both of: they read as one (`hostname_key`), and
    plain names equal but for case would also share one file on a case-insensitive
    filesystem (other names' files end in a digest of their bytes: `safe_name`)."""
    seen: dict[str, str] = {}
    pairs = []
    for name in names:
        key = hostname_key(name)
        if key in seen:
            pairs.append((seen[key], name))
        else:
            seen[key] = name
    return pairs
