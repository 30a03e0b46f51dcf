"""The fleet's database: every signed run's inspections, one row per chassis per run.

SQLite (one file, no server) is the default; PostgreSQL is reached by URL with the same schema.
The schema is made and moved forward by Alembic (inspector/fleet/migrations), in the same
transaction that holds the database's write lock, so that several inspectors opening a new
store at once make it once.

A run goes in whole or not at all, only once its seal is found good: signed by a trusted key,
finished, and its run.json and records as signed (`inspector.manifest.Seal`). A run is told
apart by its signer, run id and the time it started (run.json's, signed, and kept by every
rerun): two sites may both name a run by the same minute, and one inspector may give the same
--run-id to runs in two --out folders; each is a run of its own. Adding a run again with the
same seal changes nothing; a run signed again since (a rerun re-judged it) replaces what was
stored of it, in one transaction; a copy signed before the one stored (by the manifest's
signed_at: taken before a rerun) is refused, so the store never goes back. Nor does it go
sideways: a manifest names every manifest of its run signed before it (`follows`), so a
signing that does not follow the one stored was made over an earlier state of the run, put
back (a copy from before a rerun, signed again by another rerun), and is refused however
new it is.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DataError, IntegrityError

from inspector.fleet.inspection import Inspection

DB_ENV = "INSPECTOR_DB"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant: the key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x1F1EE7

_JSON = JSON().with_variant(JSONB(), "postgresql")
metadata = MetaData()

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(100), nullable=False),
    Column("signer", String(100), nullable=False),  # the key's SHA256 fingerprint
    Column("seal_sha256", String(64), nullable=False),  # of manifest.json: which signing
    Column("signed_at", String(32)),  # the manifest's; None for runs stored before it was kept
    Column("started_at", String(32)),  # run.json's: with signer and run id, which run
    Column("chassis", Integer, nullable=False),
    Column("added_at", String(32), nullable=False),
    UniqueConstraint("signer", "run_id", "started_at", name="uq_runs_signer_run_id_started_at"),
)

inspections = Table(
    "inspections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run", Integer, ForeignKey("runs.id"), nullable=False),
    Column("run_id", String(100), nullable=False),
    # What the record says of the chassis, from its inventory and the device: any length.
    Column("site", Text),
    Column("hostname", Text, nullable=False, index=True),
    Column("serial", Text, index=True),
    Column("pid", Text),
    Column("platform", Text),
    Column("os", Text),
    Column("version", Text),
    # ISO 8601 UTC: sorts as text; indexed for the fleet report's --since / --until
    Column("inspected_at", String(32), nullable=False, index=True),
    Column("verdict", String(10), nullable=False),
    Column("verdict_reason", Text, nullable=False),
    Column("tier", String(20)),
    Column("eligible", Boolean),
    Column("failed", _JSON, nullable=False),
    Column("failures", Integer, nullable=False),  # len(failed): the report reads only these
    Column("checks", _JSON, nullable=False),
    Column("frus", _JSON),
    Column("license", _JSON, nullable=False),
    UniqueConstraint("run", "hostname", name="uq_inspections_run_hostname"),
)


class StoreRefused(ValueError):
    """A run the store will not take, or a question it cannot answer, said plainly."""


def database_url(db: str | None) -> str:
    """`db` (a URL, or a path to an SQLite file), else $INSPECTOR_DB, else the user's own
    SQLite file."""
    db = db or os.environ.get(DB_ENV)
    if db is None:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
        db = str(base / "inspector" / "fleet.sqlite")
    if "://" in db:
        return db
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{db}"


def open_store(db: str | None = None) -> Engine:
    """The store's engine, its schema brought to the newest migration."""
    url = database_url(db)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # Busy writers wait for the lock (60 s) rather than fail at once.
        engine = create_engine(url, connect_args={"timeout": 60})
        _sqlite_transactions(engine)
    else:
        engine = create_engine(url)
    _migrate(engine)
    return engine


def _sqlite_transactions(engine: Engine) -> None:
    """Every transaction takes SQLite's write lock at BEGIN (IMMEDIATE): a reader that later
    writes can otherwise fail with `database is locked` instead of waiting its turn. WAL lets
    readers (history, report) go on while a run is added."""
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN is replaced below
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# --------------------------------------------------------------------------- adding runs

@dataclass(frozen=True)
class Added:
    run_dir: Path
    run_id: str
    chassis: int
    outcome: str  # "added", "unchanged" (same seal stored before), "replaced" (signed since)


def add_run(engine: Engine, run_dir: Path, pinned_keys: Sequence[str] = ()) -> Added:
    """Verify the run's seal and store its records in one transaction (see the module).
    The run is read under its lock, shared (RunBusy while a rerun or any other writer is at
    work: the records it is rewriting would look altered, and are not)."""
    from inspector.store import reading

    with reading(run_dir):
        row, found, follows = _read_run(run_dir, pinned_keys)
    try:
        return _store_run(engine, run_dir, row, found, follows)
    except IntegrityError:
        # Another inspector stored the same new run between our look and our insert
        # (PostgreSQL; SQLite's writers take turns): look again, now that it is there.
        return _store_run(engine, run_dir, row, found, follows)


def _read_run(run_dir: Path, pinned_keys: Sequence[str]
              ) -> tuple[dict[str, Any], list[Inspection], tuple[str, ...]]:
    """The run's row and inspections, read once its seal is found good, and the manifests
    its own follows."""
    from inspector.evidence import utc_now
    from inspector.manifest import FINISHED, MANIFEST, RunAltered, Seal, trusted_signer
    from inspector.records import RecordError
    from inspector.store import RECORDS, RUN_META, RunDocuments, record_paths

    def manifest_sha256() -> str:
        return hashlib.sha256((run_dir / MANIFEST).read_bytes()).hexdigest()

    seal = Seal.read(run_dir, trusted_signer(run_dir, pinned_keys))
    seal_sha256 = seal.sha256  # of the manifest whose signature was just checked
    if seal.state != FINISHED:
        raise StoreRefused(f"{run_dir}: the run is {seal.state}, not finished: finish it with "
                           f"`inspector run --resume {run_dir}` before storing it")
    seal.require_unchanged([RUN_META, RECORDS])  # names every record changed, added or gone

    # What run.json and the records say of each other, as `inspector verify` checks it: a
    # run signed whole but not agreeing (a verdict without its record) is not stored.
    documents = RunDocuments(evidence=False)

    def signed(path: Path) -> Any:
        """The document as read now, once its bytes are the signed ones: a file replaced
        after the check above is refused, not stored."""
        body = path.read_bytes()
        rel = path.relative_to(run_dir).as_posix()
        if hashlib.sha256(body).hexdigest() != seal.files.get(rel):
            raise RunAltered(f"{run_dir}: {rel} changed while it was being stored")
        document = json.loads(body)
        documents.take_document(rel, document)
        return document

    meta = signed(run_dir / RUN_META)
    run_id = str(meta["run_id"])  # signed, unlike the folder's name
    try:
        found = [Inspection.of(signed(path)) for path in record_paths(run_dir)]
    except (KeyError, TypeError, json.JSONDecodeError, RecordError) as exc:
        raise StoreRefused(f"{run_dir}: a record this store cannot read: {exc}") from None
    if disagreements := documents.disagreements(seal.files, seal.state):
        raise StoreRefused(f"{run_dir}: the run is not whole: " + "; ".join(disagreements))
    if manifest_sha256() != seal_sha256:  # what was read is what that one seal covers
        raise RunAltered(f"{run_dir}: signed again while it was being stored; add it again")
    row = {"run_id": run_id, "signer": seal.signer, "seal_sha256": seal_sha256,
           "signed_at": seal.signed_at, "started_at": meta.get("started_at"),
           "chassis": len(found), "added_at": utc_now()}
    return row, found, seal.follows


def _store_run(engine: Engine, run_dir: Path, row: dict[str, Any],
               found: list[Inspection], follows: tuple[str, ...]) -> Added:
    with engine.begin() as connection:
        stored = connection.execute(
            select(runs.c.id, runs.c.seal_sha256, runs.c.signed_at)
            .where(runs.c.signer == row["signer"], runs.c.run_id == row["run_id"],
                   runs.c.started_at == row["started_at"])
            .with_for_update()).first()
        if stored is not None and stored.seal_sha256 == row["seal_sha256"]:
            return Added(run_dir, row["run_id"], len(found), "unchanged")
        if stored is not None:
            _require_following(run_dir, row["signed_at"], stored, follows)
            connection.execute(inspections.delete().where(inspections.c.run == stored.id))
            connection.execute(runs.update().where(runs.c.id == stored.id).values(**row))
            key = stored.id
        else:
            key = connection.execute(runs.insert().values(**row).returning(runs.c.id)).scalar_one()
        if found:
            try:
                connection.execute(inspections.insert(), [_row(key, i) for i in found])
            except DataError as exc:  # a NUL quoted from a device: PostgreSQL holds none
                raise StoreRefused(f"{run_dir}: this store cannot hold what its records say: "
                                   f"{str(exc.orig).strip()}; nothing of the run is stored"
                                   ) from None
    return Added(run_dir, row["run_id"], len(found), "added" if stored is None else "replaced")


def _require_following(run_dir: Path, signed_at: str | None, stored: Any,
                       follows: tuple[str, ...]) -> None:
    """Refuse a signing of a stored run that does not follow the stored one. It follows it if
    its manifest names the stored one among those signed before it. A manifest that names
    others but not that one was signed over another state of the run: an earlier one put
    back, or a copy signed again apart. One that names none, of an inspector before manifests
    named them, is taken if it is newer (`_require_newer`)."""
    if stored.seal_sha256 in follows:
        return
    _require_newer(run_dir, signed_at, stored.signed_at)
    if follows:
        raise StoreRefused(
            f"{run_dir}: signed over another state of this run than the copy already stored: "
            "its manifest does not follow the stored one (a copy of the run from before it "
            "was signed again, put back and signed anew, or a copy rerun apart); the stored "
            "copy is kept")


def _require_newer(run_dir: Path, signed_at: str | None, stored: str | None) -> None:
    """Refuse a signing of a stored run that is not newer than the stored one: a copy taken
    before a rerun re-judged the run would otherwise put back what the run said then. A run
    stored before the store kept signing times (None) is replaced, as it was then."""
    from datetime import datetime

    if signed_at is None or stored is None:
        return
    # As times, not text: a manifest signed to the second sorts after one to the microsecond.
    new, old = datetime.fromisoformat(signed_at), datetime.fromisoformat(stored)
    if new < old:
        raise StoreRefused(f"{run_dir}: signed at {signed_at}, before the copy of this run "
                           f"already stored (signed at {stored}): a copy taken before the run "
                           "was signed again is not stored over the newer one")
    if new == old:
        raise StoreRefused(f"{run_dir}: signed at {signed_at}, as the copy of this run already "
                           "stored, but not the same: which is newer cannot be told, so the "
                           "stored copy is kept")


def _row(run_key: int, inspection: Inspection) -> dict[str, Any]:
    return {"run": run_key, "run_id": inspection.run_id, "site": inspection.site,
            "hostname": inspection.hostname, "serial": inspection.serial,
            "pid": inspection.pid, "platform": inspection.platform, "os": inspection.os,
            "version": inspection.version, "inspected_at": inspection.inspected_at,
            "verdict": inspection.verdict, "verdict_reason": inspection.verdict_reason,
            "tier": inspection.tier, "eligible": inspection.eligible,
            "failed": inspection.failed, "failures": len(inspection.failed),
            "checks": inspection.checks,
            "frus": inspection.frus, "license": inspection.license}


# --------------------------------------------------------------------------- questions

_INSPECTION_COLUMNS = [c for c in inspections.c
                       if c.name not in ("id", "run", "failed", "failures")]


def _inspection(row: Any) -> Inspection:
    return Inspection(**{c.name: getattr(row, c.name) for c in _INSPECTION_COLUMNS})


def history(engine: Engine, serial: str | None = None,
            hostname: str | None = None) -> list[Inspection]:
    """Every stored inspection of the chassis with that serial, or of every chassis inspected
    under that hostname, however its letters are typed (`hostname_key`: a hostname moves
    between chassis, and a chassis between hostnames), newest first."""
    from inspector.files import hostname_key

    with engine.connect() as connection:
        if hostname is None:
            chosen = inspections.c.serial == serial
        else:
            # Matched here, as SQLite and PostgreSQL fold neither case nor Unicode forms
            # alike: the stored names are read once each.
            wanted = hostname_key(hostname)
            chosen = inspections.c.hostname.in_([
                name for name in connection.execute(select(inspections.c.hostname).distinct())
                .scalars() if hostname_key(name) == wanted])
        query = (select(*_INSPECTION_COLUMNS).where(chosen)
                 .order_by(inspections.c.inspected_at.desc(), inspections.c.run_id.desc()))
        return [_inspection(row) for row in connection.execute(query)]


def inspection(engine: Engine, serial: str, run_id: str) -> Inspection:
    """The chassis's inspection in that run (refused when none, or when there are several:
    two runs of that id, by two signers or started apart, both inspected this chassis, or
    one run inspected it under two hostnames)."""
    query = select(inspections.c.run, *_INSPECTION_COLUMNS).where(
        inspections.c.serial == serial, inspections.c.run_id == run_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        raise StoreRefused(f"no inspection of serial {serial} in run {run_id} in the store")
    if len(rows) > 1:
        raise StoreRefused(_several_inspections(serial, run_id, rows))
    return _inspection(rows[0])


def _several_inspections(serial: str, run_id: str, rows: Sequence[Any]) -> str:
    """Why a serial and a run id name more than one inspection, in what a user acts on:
    several stored runs of that id, and within one run, the hostnames it was inspected under
    and their record files, which `diff` compares."""
    from inspector.store import record_path

    hostnames_by_run: dict[int, list[str]] = {}
    for row in rows:
        hostnames_by_run.setdefault(row.run, []).append(row.hostname)
    why = []
    if len(hostnames_by_run) > 1:
        why.append(f"{len(hostnames_by_run)} stored runs are named {run_id} (several "
                   "inspectors, or runs given one id): compare the record files of each")
    for hostnames in hostnames_by_run.values():
        if len(hostnames) > 1:
            names = sorted(hostnames)
            files = [record_path(Path(), name).as_posix() for name in names]
            why.append(f"it was inspected under hostnames {', '.join(names[:-1])} and "
                       f"{names[-1]} (one chassis listed twice, or chassis that print one "
                       f"serial); compare their record files, {', '.join(files[:-1])} and "
                       f"{files[-1]}")
    return f"serial {serial} has {len(rows)} inspections in run {run_id}: " + "; ".join(why)


@dataclass(frozen=True, kw_only=True)
class FleetFilter:
    """Which inspections a fleet report counts: of these sites (any, when none), inspected
    from `since` to `until` inclusive. The dates are YYYY-MM-DD or YYYY-MM (a whole month)."""

    sites: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            _period(getattr(self, name), name)
        if self.since and self.until and self.since >= str(_period(self.until, "until")):
            raise StoreRefused(f"--since {self.since} is after --until {self.until}")

    def clauses(self) -> list[Any]:
        """SQL conditions. inspected_at is ISO 8601 text, so periods compare as text: from
        `since` on, and before the day or month after `until`."""
        i, found = inspections.c, list[Any]()
        if self.sites:
            found.append(i.site.in_(self.sites))
        if self.since:
            found.append(i.inspected_at >= self.since)
        if self.until:
            found.append(i.inspected_at < _period(self.until, "until"))
        return found

    def describe(self) -> str:
        """The filters in words, for the report itself."""
        parts = []
        if self.sites:
            parts.append("site " + ", ".join(self.sites))
        if self.since or self.until:
            parts.append(f"inspected from {self.since or 'the first'} to "
                         f"{self.until or 'the last'} (UTC)")
        return "; ".join(parts) or "none: every stored inspection"


def _period(value: str | None, name: str) -> str | None:
    """The period after `value` (the next day, or the next month), as text; a clear refusal
    for anything but YYYY-MM-DD or YYYY-MM."""
    import datetime as dt

    if value is None:
        return None
    for layout, month in (("%Y-%m-%d", False), ("%Y-%m", True)):
        try:
            start = dt.datetime.strptime(value, layout).date()
        except ValueError:
            continue
        if value != start.strftime(layout):  # strptime takes `2026-1` too
            break
        if month:
            return f"{start.year + start.month // 12:04d}-{start.month % 12 + 1:02d}"
        return (start + dt.timedelta(days=1)).isoformat()
    raise StoreRefused(f"--{name} {value!r}: give a date as YYYY-MM-DD or a month as YYYY-MM")


@dataclass(frozen=True, kw_only=True)
class FleetSummary:
    """What the fleet report shows; computed by the database where it can be."""

    filters: FleetFilter
    inspections: int
    chassis: int
    runs: int
    by_site_month: list[dict[str, Any]]  # site, month, tier, verdict, count
    failing_checks: list[tuple[str, int]]  # inspections that failed each, most common first
    disagreeing: list[dict[str, Any]]  # chassis inspected more than once with different verdicts


def fleet_summary(engine: Engine, filters: FleetFilter | None = None,
                  top: int = 20) -> FleetSummary:
    filters = filters or FleetFilter()
    i, where = inspections.c, filters.clauses()
    month = func.substr(i.inspected_at, 1, 7)
    with engine.connect() as connection:
        total, chassis, run_count = connection.execute(
            select(func.count(), func.count(func.distinct(i.serial)),
                   func.count(func.distinct(i.run))).where(*where)).one()
        groups = connection.execute(
            select(i.site, month.label("month"), i.tier, i.verdict, func.count().label("n"))
            .where(*where)
            .group_by(i.site, month, i.tier, i.verdict)
            .order_by(i.site, month, i.tier, i.verdict)).all()
        failing: dict[str, int] = {}
        for (failed,) in connection.execute(select(i.failed).where(i.failures > 0, *where)):
            for check in failed:
                failing[check] = failing.get(check, 0) + 1
        mixed = (select(i.serial).where(i.serial.is_not(None), *where).group_by(i.serial)
                 .having(func.count(func.distinct(i.verdict)) > 1).subquery())
        disagreeing: dict[str, dict[str, Any]] = {}
        for row in connection.execute(
                select(i.serial, i.pid, i.run_id, i.site, i.inspected_at, i.verdict)
                .where(i.serial.in_(select(mixed.c.serial)), *where)
                .order_by(i.serial, i.inspected_at.desc())):
            entry = disagreeing.setdefault(row.serial, {"serial": row.serial, "pid": row.pid,
                                                         "inspections": []})
            entry["inspections"].append({"run_id": row.run_id, "site": row.site,
                                         "inspected_at": row.inspected_at,
                                         "verdict": row.verdict})
    return FleetSummary(
        filters=filters, inspections=total, chassis=chassis, runs=run_count,
        by_site_month=[{"site": g.site, "month": g.month, "tier": g.tier,
                        "verdict": g.verdict, "count": g.n} for g in groups],
        failing_checks=sorted(failing.items(), key=lambda kv: (-kv[1], kv[0]))[:top],
        disagreeing=list(disagreeing.values()))


@contextmanager
def store(db: str | None) -> Iterator[Engine]:
    """The store, open for one command. A store that cannot be used (a file that is not a
    database or is damaged, one locked past the wait, a server that cannot be reached) ends
    the command with one line saying which and why, never a traceback; what was added
    before stays, each run having gone in whole."""
    url = database_url(db)
    try:
        engine = open_store(db)
        try:
            yield engine
        finally:
            engine.dispose()
    except DatabaseError as exc:
        where = make_url(url)
        shown = (where.database if where.get_backend_name() == "sqlite"
                 else where.render_as_string(hide_password=True))
        raise StoreRefused(f"the fleet store {shown} cannot be used: "
                           f"{str(exc.orig).strip() or type(exc.orig).__name__}") from None


def add_runs(engine: Engine, run_dirs: Iterable[Path],
             pinned_keys: Sequence[str] = ()) -> Iterator[Added | Exception]:
    """Each run added, or why it was refused: one refused run does not stop the others."""
    from inspector.manifest import RunAltered
    from inspector.store import RunBusy, RunRefused

    for run_dir in run_dirs:
        try:
            yield add_run(engine, run_dir, pinned_keys)
        except (RunAltered, RunBusy, RunRefused, StoreRefused, FileNotFoundError) as exc:
            yield exc
