"""A batch run: Nornir drives one task per chassis; each record is written the moment its
chassis finishes, so an interrupted batch keeps everything it had done."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from inspector.catalogue import Check
from inspector.collect import Retry, ShowTech, collect
from inspector.credentials import DATA_KEY as CREDENTIALS_KEY
from inspector.credentials import CredentialSet, Logins, candidates, parse_sets
from inspector.evaluate import evaluate_chassis, plan_commands, unjudged_check
from inspector.evidence import EvidenceWriter, PendingEvidence, RawOutput, Session, utc_now
from inspector.files import StorageError, adopt_digests, atomic_write, hand_over_digests
from inspector.jump import DATA_KEY as JUMP_KEY
from inspector.jump import Bastions, JumpHost
from inspector.manifest import FINISHED, INTERRUPTED, Seal
from inspector.memory import share_malloc_arenas
from inspector.parsing import warm_up_genie
from inspector.platforms import PLATFORMS, platform_for
from inspector.policy import Policy, PolicyError
from inspector.program import (
    HostContext,
    excluded_hosts,
    excluded_record,
    load_products,
    program_section,
)
from inspector.provenance import judged_with
from inspector.records import build_record, summary_row
from inspector.redact import redact_message
from inspector.runner import Interrupted
from inspector.second_reading import warm_up_napalm
from inspector.store import (
    chassis_written,
    evidence_dir,
    finish_run,
    judged_files,
    keep_report_pieces,
    prepare_resume,
    read_records,
    remove_half_written,
    rewriting,
    run_meta,
    write_record,
)


class RunError(Exception):
    """The run could not start: bad inventory, missing credentials, existing run folder."""


@dataclass(frozen=True, kw_only=True)
class Credentials:
    username: str | None = None
    password: str | None = None
    secret: str | None = None
    jump_password: str | None = None  # every jump host's (None: SSH keys and the agent)

    @classmethod
    def from_env(cls, jump_password: str | None = None) -> Credentials:
        """The environment's; a jump password given (a --credentials file's) wins."""
        return cls(
            username=os.environ.get("INSPECTOR_USERNAME"),
            password=os.environ.get("INSPECTOR_PASSWORD"),
            secret=os.environ.get("INSPECTOR_SECRET"),
            jump_password=jump_password or os.environ.get("INSPECTOR_JUMP_PASSWORD"),
        )


@dataclass(kw_only=True)
class RunSummary:
    run_id: str
    run_dir: Path
    verdicts: dict[str, str] = field(default_factory=dict)  # hostname -> verdict
    rows: list[dict[str, Any]] = field(default_factory=list)
    signing_key: Path | None = None
    interrupted: bool = False
    missing: list[str] = field(default_factory=list)  # hosts of the run without a record yet
    reports: list[Path] = field(default_factory=list)
    judge_workers_lost: int = 0  # judge worker pools broken by a worker's death
    judged_here: bool = False  # the judge workers were given up: the rest judged in the run
    not_judged: list[str] = field(default_factory=list)  # chassis a worker died judging twice

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        values = set(self.verdicts.values())
        if "FAIL" in values:
            return 1
        if "ERROR" in values or not values:
            return 2
        return 0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def prepare_hosts(nornir: Any, credentials: Credentials, policy: Policy,
                  credential_sets: list[CredentialSet] | None = None,
                  jump_host: str | None = None) -> None:
    """Fill credentials from the environment and the session timeouts from the policy; give
    each host its candidate credential sets in the order they are tried (its login, its
    inventory's `credential_sets`, then `credential_sets` given for every host) and its jump
    host (its own or its group's `jump_host`, else `jump_host` given for every host)."""
    every_host_jump = JumpHost.parse(jump_host, "--jump-host") if jump_host else None
    jump_password = credentials.jump_password
    host_keys = policy["collection.host_key_policy"]
    if host_keys not in ("record", "strict"):
        raise PolicyError(
            f"collection.host_key_policy must be `record` or `strict`, not {host_keys!r}")
    own_login = {h.name for h in nornir.inventory.hosts.values() if h.username and h.password}
    # A group's sets are read once for all its hosts: an `%ASK{}` prompts once.
    listed: dict[int, tuple[Any, list[CredentialSet]]] = {}
    defaults = nornir.inventory.defaults
    if credentials.username:
        defaults.username = credentials.username
    if credentials.password:
        defaults.password = credentials.password
    for host in nornir.inventory.hosts.values():
        options = host.get_connection_parameters("netmiko")
        extras = dict(options.extras or {})
        if credentials.secret:
            extras["secret"] = credentials.secret
        elif not extras.get("secret") and host.password:
            extras["secret"] = host.password  # many sites use one password for both
        extras.setdefault("fast_cli", True)
        # netmiko's ASA driver otherwise enters configuration mode to set the terminal width,
        # which writes to the running configuration: never on someone else's equipment.
        extras["allow_auto_change"] = False
        extras.setdefault("conn_timeout", policy["collection.connect_timeout"])
        extras.setdefault("auth_timeout", policy["collection.auth_timeout"])
        extras.setdefault("banner_timeout", policy["collection.auth_timeout"])
        if host_keys == "strict":
            extras.update(ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                          alt_key_file=os.path.expanduser(policy["collection.known_hosts"]))
        host.connection_options["netmiko"] = type(options)(
            hostname=options.hostname, port=options.port, username=options.username,
            password=options.password, platform=options.platform, extras=extras,
        )
        host.data[CREDENTIALS_KEY] = _candidate_sets(
            host, host.name in own_login, credentials, credential_sets or [], listed)
        own_jump = host.get(JUMP_KEY)
        jump = (JumpHost.parse(own_jump, f"host {host.name!r} {JUMP_KEY}") if own_jump
                else every_host_jump)
        host.data[JUMP_KEY] = replace(jump, password=jump_password) if jump else None


def bastions_for(nornir: Any, policy: Policy) -> Bastions | None:
    """The run's jump host connections, when any (prepared) host goes through one; each
    bastion's password is its JumpHost's (`prepare_hosts` gave it), else SSH keys."""
    if not any(h.get(JUMP_KEY) for h in nornir.inventory.hosts.values()):
        return None
    return Bastions(strict=policy["collection.host_key_policy"] == "strict",
                    known_hosts=policy["collection.known_hosts"],
                    timeout=float(policy["collection.connect_timeout"]))


def _candidate_sets(host: Any, own_login: bool, credentials: Credentials,
                    shared: list[CredentialSet],
                    listed: dict[int, tuple[Any, list[CredentialSet]]]) -> list[CredentialSet]:
    """A set without an enable secret uses the environment's, else its own password (as
    the login does: many sites use one password for both). `listed` holds the inventory's
    lists already read, by identity (each kept with its list, so no identity is reused)."""
    params = host.get_connection_parameters("netmiko")
    login = None
    if params.username and params.password:
        login = CredentialSet(label="inventory" if own_login else "environment",
                              username=params.username, password=params.password,
                              secret=(params.extras or {}).get("secret"))
    raw = host.get(CREDENTIALS_KEY)
    if raw is not None and id(raw) not in listed:
        listed[id(raw)] = (raw, parse_sets(raw, f"host {host.name!r} {CREDENTIALS_KEY}"))
    own = listed[id(raw)][1] if raw is not None else []
    return [s if s.secret else CredentialSet(label=s.label, username=s.username,
                                              password=s.password,
                                              secret=credentials.secret or s.password)
            for s in candidates(login, own, shared, host.name)]


def host_credentials(host: Any) -> list[str]:
    """This host's own passwords and enable secrets, of every candidate set, and its jump
    host's password: what its session's words and its evidence are kept free of (another
    host's never touch them)."""
    extras = host.get_connection_parameters("netmiko").extras or {}
    jump = host.get(JUMP_KEY)
    own = [host.password, extras.get("secret"), jump and jump.password]
    for candidate in host.get(CREDENTIALS_KEY) or []:
        own += candidate.secrets()
    return list(dict.fromkeys(s for s in own if s))


def missing_credentials(nornir: Any, shared_sets: bool = False) -> list[str]:
    """Hosts with no login to try: no username and password, no credential sets."""
    if shared_sets:
        return []
    return [h.name for h in nornir.inventory.hosts.values()
            if (not h.username or not h.password) and not h.get(CREDENTIALS_KEY)]


@dataclass(kw_only=True)
class Inspection:
    run_id: str
    run_dir: Path
    checks: list[Check]
    policy: Policy
    on_done: Callable[[dict[str, Any]], None] | None = None
    on_progress: Callable[[str, str], None] | None = None  # hostname, what it is doing
    login_gate: threading.BoundedSemaphore | None = None
    hold_list: frozenset[str] | None = None  # None: no --hold-list was given
    show_tech: bool = False
    judged_with: dict[str, Any] | None = None  # inspector.provenance, once for the batch
    judges: JudgeWorkers | None = None  # worker processes that parse and judge
    storage_failure: StorageError | None = None  # the first write the disk refused
    bastions: Bastions | None = None  # the run's jump host connections, if any
    _lock: threading.Lock = field(default_factory=threading.Lock)
    not_judged_hosts: list[str] = field(default_factory=list)  # see `not_judged`
    finished: list[str] = field(default_factory=list)  # every chassis whose record was written
    _serials: Iterator[int] = field(default_factory=itertools.count)

    def task(self, task: Any) -> Any:
        from nornir.core.task import Result

        if self.storage_failure is not None:
            return Result(host=task.host, result=None)  # not started: the disk takes nothing
        try:
            self.done(self.inspect(task))
        except StorageError as failure:
            with self._lock:
                self.storage_failure = self.storage_failure or failure
        # The row went to `on_done`; the run's summary is read back from the records, so
        # Nornir's result of a chassis keeps none of it for the rest of the run (about
        # 1.3 kB a chassis: 13 MB of a 10,000-chassis run).
        return Result(host=task.host, result=None)

    def inspect(self, task: Any) -> dict[str, Any]:
        """Collect, judge and write one chassis's record; returns its summary row."""
        host = task.host
        started = utc_now()
        platform = host.platform
        session: Session | None = None  # gear without an SSH CLI we can parse: not contacted
        outputs: dict[str, RawOutput] = {}
        evidence: PendingEvidence | None = None
        redactions: dict[str, int] = {}
        show_tech: dict[str, Any] | None = None
        if platform in PLATFORMS:
            collected = collect_into(
                task, evidence_dir(self.run_dir, host.name), plan_commands(platform, self.checks),
                self.policy, login_gate=self.login_gate, show_tech=self.show_tech,
                bastions=self.bastions,
                on_progress=partial(self.on_progress, host.name) if self.on_progress else None,
            )
            session, outputs, evidence, redactions = (collected.session, collected.outputs,
                                                      collected.evidence, collected.redactions)
            show_tech = collected.show_tech
        job = Judgement(
            run_id=self.run_id, hostname=host.name, platform=platform,
            check_ids=tuple(c.id for c in self.checks), outputs=outputs, evidence=evidence,
            session=session, policy=self.policy,
            context=HostContext.for_host(host, self.hold_list), started_at=started,
            site=host.get("site"), address=host.hostname, redactions=redactions,
            show_tech=show_tech, judged_with=self.judged_with, serial=next(self._serials),
        )
        if self.judges is not None:
            try:
                judged = self.judges.judge(job, self.run_dir)
            except JudgementLost as lost:
                return self.not_judged(job, str(lost))
            if judged is not None:
                row, digests = judged
                adopt_evidence(self.run_dir, host.name, digests)
                return row
        row, written = judge_and_write(job, self.checks, self.run_dir)
        adopt_evidence(self.run_dir, host.name, hand_over_digests(written))
        return row

    def not_judged(self, job: Judgement, why: str) -> dict[str, Any]:
        """The record of a chassis whose judgement ended its judge workers: each check an
        ERROR saying why, nothing parsed; its evidence written, for a rerun to judge."""
        adopt_evidence(self.run_dir, job.hostname,
                       hand_over_digests(write_evidence(job, self.run_dir)))
        record = build_record(
            run_id=job.run_id, hostname=job.hostname, platform=job.platform,
            results=[unjudged_check(check, job.platform, why) for check in self.checks],
            session=job.session, policy=job.policy, started_at=job.started_at,
            finished_at=utc_now(), site=job.site, address=job.address,
            redactions=job.redactions, show_tech=job.show_tech, judged_with=job.judged_with,
        )
        write_record(self.run_dir, record)
        with self._lock:
            self.not_judged_hosts.append(job.hostname)
        return summary_row(record)

    def write(self, record: dict[str, Any]) -> None:
        """A record made here (an excluded chassis, an internal error): written, then done."""
        write_record(self.run_dir, record)
        self.done(summary_row(record))

    def done(self, row: dict[str, Any]) -> None:
        with self._lock:
            self.finished.append(row["hostname"])
            if self.on_done:
                self.on_done(row)


@dataclass(frozen=True, kw_only=True)
class Judgement:
    """What one chassis is judged on, and its evidence to write first. Plain data, so a worker
    process can write, parse and judge it while this one's threads go on talking to chassis."""

    run_id: str
    hostname: str
    platform: str | None
    check_ids: tuple[str, ...]
    outputs: dict[str, RawOutput]
    evidence: PendingEvidence | None  # None: the chassis was not contacted
    session: Session | None
    policy: Policy
    context: HostContext
    started_at: str
    site: str | None
    address: str | None
    redactions: dict[str, int]
    show_tech: dict[str, Any] | None
    judged_with: dict[str, Any] | None
    serial: int = -1  # which of the run's judgements: what a judge worker shows it is at


def judge(job: Judgement, checks: list[Check]) -> dict[str, Any]:
    """The chassis's record, from its outputs: the same in this process or a worker."""

    def output(command: str) -> RawOutput:
        return job.outputs.get(command) or RawOutput(command=command, text=None,
                                                      error="not collected")

    results = evaluate_chassis(
        platform=job.platform, outputs=output, session=job.session, checks=checks,
        policy=job.policy, context=job.context,
    )
    record = build_record(
        run_id=job.run_id, hostname=job.hostname, platform=job.platform, results=results,
        session=job.session, policy=job.policy, started_at=job.started_at,
        finished_at=utc_now(), site=job.site, address=job.address, redactions=job.redactions,
        show_tech=job.show_tech, judged_with=job.judged_with,
    )
    record["program"] = program_section(record, job.context.host_data(), load_products())
    return record


def judge_and_write(job: Judgement, checks: list[Check],
                    run_dir: Path) -> tuple[dict[str, Any], list[Path]]:
    """Write one chassis's evidence, judge it and write its record; returns its summary row
    and the files written. In a worker, the evidence and the record are written there and the
    record never crosses back: the run's own process keeps its CPU for the sessions."""
    written = write_evidence(job, run_dir)
    record = judge(job, checks)
    keep_report_pieces(run_dir, write_record(run_dir, record))
    return summary_row(record), written + judged_files(run_dir, job.hostname)


def write_evidence(job: Judgement, run_dir: Path) -> list[Path]:
    """The chassis's outputs, their index and its context (what the program checks are judged
    against, kept for reruns with the outputs); returns the files written."""
    context = job.context.file(evidence_dir(run_dir, job.hostname))
    if job.evidence is None:
        atomic_write(*context)
        return [context[0]]
    return job.evidence.write(context)


def adopt_evidence(run_dir: Path, hostname: str, handed: list[tuple[str, bytes]]) -> None:
    """Take the digests of what judging a chassis wrote (`hand_over_digests`, of a worker or of
    this process), its evidence folder as written whole: the run's end can then tell a file
    of it removed since (`Seal.files_after`)."""
    adopt_digests(handed, whole={str(evidence_dir(run_dir, hostname))})


def judge_in_worker(job: Judgement, run_dir: Path) -> tuple[dict[str, Any],
                                                            list[tuple[str, bytes]]]:
    """`judge_and_write` in a worker: the summary row, and the sha256 of the files written
    (the chassis's evidence, its record and report pieces, packed by folder), which the run's
    end then signs without reading them back."""
    from inspector.catalogue import load_catalogue

    catalogue = load_catalogue()
    if _showing is not None:
        _showing[0][_showing[1]] = job.serial
    try:
        row, written = judge_and_write(
            job, [catalogue.get(check_id) for check_id in job.check_ids], run_dir)
    finally:
        if _showing is not None:
            _showing[0][_showing[1]] = -1
    return row, hand_over_digests(written)


# In a judge worker: the pool's shared array of what each worker judges, and this one's slot.
_showing: tuple[Any, int] | None = None


def _judge_worker_started(genie_oses: list[str], lifeline: Any, judging: Any,
                          slots: Any) -> None:
    # Ctrl-C reaches the whole process group; the run stops on it and needs its workers to
    # judge the chassis still in session, so only the run itself may act on it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A run that is killed outright cannot shut its pool down; its workers notice the loss of
    # their parent and leave, rather than idle on as orphans, or write into the run: at once
    # by the `lifeline`, which reads as closed as the run ends, and within a second by the
    # parent's pid, should another process have come to hold the lifeline's other end.
    parent = os.getppid()

    def leave_with_parent() -> None:
        while os.getppid() == parent and not lifeline.poll(1.0):
            pass
        os._exit(1)

    threading.Thread(target=leave_with_parent, name="judge-parent", daemon=True).start()
    global _showing
    with slots.get_lock():
        _showing, slots.value = (judging, slots.value), slots.value + 1
    from inspector.catalogue import load_catalogue

    load_catalogue()
    warm_up_genie(genie_oses)
    warm_up_napalm()


# Parsing and judging hold the GIL: 1000 chassis spent 70% of the run's GIL time there,
# starving the sessions. Worker processes take them over, and judge in their main thread,
# the one thread where a parse that would never finish can be stopped
# (`parsing.parse_deadline`). So every batch has one, a small one too (its start, about 1 s
# of imports, goes on beside the first logins), and so does a machine of one core, where it
# shares the core with the sessions; from JUDGE_POOL_MIN_CHASSIS on, up to
# JUDGE_POOL_MAX_WORKERS. One core stays with the sessions; each worker holds Genie (about
# 150 MB).
JUDGE_POOL_MIN_CHASSIS = 50
JUDGE_POOL_MAX_WORKERS = 4
# A judge worker that dies (killed, out of memory) breaks its whole pool: every judgement
# still in it fails. The pool is replaced, and those judgements go to the new one, so each is
# still made under a parse deadline. A chassis a worker died judging JUDGE_ATTEMPTS times is
# not judged again: in the run's own process its judgement could take the run with it. After
# JUDGE_POOLS_REPLACED pools lost, or one that cannot be started, the machine may have no room
# for them: the rest is judged in the session threads, without a parse deadline.
JUDGE_ATTEMPTS = 2
JUDGE_POOLS_REPLACED = 3


class JudgementLost(Exception):
    """A judge worker died judging this chassis, JUDGE_ATTEMPTS times."""


class JudgeWorkers:
    """The run's judge worker processes, their pool replaced when a worker dies."""

    def __init__(self, workers: int, genie_oses: list[str]) -> None:
        self._workers, self._genie_oses = workers, genie_oses
        self._lock = threading.Lock()
        self._turns = threading.Condition()  # see `_turn`
        self._in_flight = 0
        self._alone_waiting = 0
        self._alone = False
        self.lost = 0  # pools broken by a worker's death
        self.pools: list[Executor] = []  # every pool started, the current one last
        # The current pool, and what each of its workers judges (a judgement's serial, -1 for
        # none): a pool broken by a dead worker tells which chassis it died on. None: given up.
        self._current: tuple[Executor, Any] | None = None
        self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: forking a process whose session threads hold locks can deadlock the child.
        context = multiprocessing.get_context("spawn")
        judging = context.RawArray("q", [-1] * self._workers)
        pool = ProcessPoolExecutor(
            self._workers, mp_context=context, initializer=_judge_worker_started,
            initargs=(self._genie_oses, _lifeline(context), judging, context.Value("i", 0)))
        # The pool starts a worker only when a task needs one: left to the first judgement,
        # its start (about 0.5 s: an interpreter, Genie, NAPALM) came after the first
        # chassis's session, and the first 50 sessions all waited on it. A task each starts
        # the workers now, beside the first logins. A worker starts with the mask of the
        # thread that starts it: SIGINT blocked there, a Ctrl-C as the run starts never
        # reaches a worker before it ignores it (see _judge_worker_started).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(self._workers):
                pool.submit(os.getpid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.pools.append(pool)
        self._current = (pool, judging)

    @property
    def given_up(self) -> bool:
        return self._current is None

    def judge(self, job: Judgement,
              run_dir: Path) -> tuple[dict[str, Any], list[tuple[str, bytes]]] | None:
        """`judge_in_worker(job, run_dir)` in a worker, again in a new pool if one dies on it;
        None once the workers are given up (the caller judges it). Raises JudgementLost."""
        from concurrent.futures.process import BrokenProcessPool

        deaths = 0
        while True:
            with self._turn(alone=deaths > 0):
                with self._lock:  # never the pool being replaced: its death is counted once
                    current = self._current
                if current is None:
                    return None
                pool, judging = current
                try:
                    return pool.submit(judge_in_worker, job, run_dir).result()
                except BrokenProcessPool:
                    deaths += job.serial in judging[:]
                    self._replace(current)
            if deaths >= JUDGE_ATTEMPTS:
                raise JudgementLost(
                    f"not judged: a judge worker died judging it, {deaths} times (killed, or "
                    "out of memory); its evidence is kept for a rerun to judge")

    @contextmanager
    def _turn(self, *, alone: bool) -> Iterator[None]:
        """A judgement's turn in the pool. With several workers, the death of one ends the
        others too, and every chassis being judged is blamed: a chassis blamed once is judged
        again `alone`, when nothing else is in the pool, so that only the chassis that kills
        its worker is ever blamed twice."""
        with self._turns:
            if alone:
                self._alone_waiting += 1
                self._turns.wait_for(lambda: self._in_flight == 0)
                self._alone_waiting -= 1
                self._alone = True
            else:
                self._turns.wait_for(lambda: not self._alone_waiting and not self._alone)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._turns:
                self._in_flight -= 1
                if alone:
                    self._alone = False
                self._turns.notify_all()

    def _replace(self, broken: tuple[Executor, Any]) -> None:
        with self._lock:
            if self._current is not broken:
                return  # another session's judgement saw the same pool break, and replaced it
            _let_go_of(broken[0])
            self.lost += 1
            self._current = None  # given up, unless a new pool starts
            if self.lost <= JUDGE_POOLS_REPLACED:
                with contextlib.suppress(OSError):  # no memory, no process left for it
                    self._start()


# This process's end of its judge workers' lifeline, and theirs: (pid, read end, write end).
# The write end is held here alone, never written, and open until this process ends.
_lifeline_pipe: tuple[int, Any, Any] | None = None


def _lifeline(context: Any) -> Any:
    """The read end of this process's lifeline, for a judge worker to watch."""
    global _lifeline_pipe
    if _lifeline_pipe is None or _lifeline_pipe[0] != os.getpid():
        _lifeline_pipe = (os.getpid(), *context.Pipe(duplex=False))
    return _lifeline_pipe[1]


@contextmanager
def judge_pool(chassis: int, genie_oses: list[str]) -> Iterator[JudgeWorkers | None]:
    """Worker processes to parse and judge `chassis` chassis; None with nothing to judge."""
    if chassis < 1:
        yield None
        return
    most = JUDGE_POOL_MAX_WORKERS if chassis >= JUDGE_POOL_MIN_CHASSIS else 1
    workers = JudgeWorkers(max(1, min((os.cpu_count() or 1) - 1, most)), genie_oses)
    try:
        yield workers
    except BaseException:
        for pool in workers.pools:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    # Each chassis's session waited for its judgement, interrupted run or not: the workers
    # have nothing left to do but exit, and their interpreter's teardown (Genie, NAPALM:
    # about 0.2 s) goes on beside the run's end instead of before it.
    _let_go_of(workers.pools[-1])  # those before it were let go as they broke


def _let_go_of(pool: Executor) -> None:
    """Shut `pool` down without waiting: its own thread sees its workers out, then releases
    its queues, and `join_judge_pools` waits for that thread (which the pool forgets as it
    shuts down; its first submit made it)."""
    _let_go.append(getattr(pool, "_executor_manager_thread", None))
    pool.shutdown(wait=False)


_let_go: list[threading.Thread | None] = []


def join_judge_pools() -> None:
    """Wait for the pools `judge_pool` let go to see their workers out and release their
    queues. The queues' named semaphores are released as they go, each removed and then
    struck off the pool's resource tracker's list: a command that left between the two
    had the tracker warn on stderr of a leaked semaphore."""
    while _let_go:
        if (thread := _let_go.pop()) is not None:
            thread.join()


@dataclass(frozen=True, kw_only=True)
class Collected:
    session: Session
    outputs: dict[str, RawOutput]
    evidence: PendingEvidence  # the outputs' folder, for the caller to write
    redactions: dict[str, int]  # secrets masked per command
    show_tech: dict[str, Any] | None  # its index entry (file, sha256, bytes), when asked for


def collect_into(
    task: Any, folder: Path, commands: list[tuple[str, ...]], policy: Policy,
    login_gate: Any = None, show_tech: bool = False,
    on_progress: Callable[[str], None] | None = None, bastions: Bastions | None = None,
) -> Collected:
    """Collect `commands` (and the show tech file) from the task's host for an evidence
    folder, secrets masked; `on_progress` hears how far the show tech file has come."""
    credentials = host_credentials(task.host)
    writer = EvidenceWriter(folder, hostname=task.host.name, platform=task.host.platform,
                            secrets=credentials)
    tech = None
    if show_tech:
        tech = ShowTech(
            command=platform_for(task.host.platform).show_tech,
            timeout=float(policy["collection.show_tech_timeout"]),
            max_bytes=int(policy["collection.show_tech_max_mb"] * 1_000_000),
            on_progress=(lambda received: on_progress(f"show tech {received / 1e6:.1f} MB"))
            if on_progress else None,
        )
    session = collect(
        task, writer=writer, commands=commands,
        logins=Logins(sets=list(task.host.get(CREDENTIALS_KEY) or []),
                      max_failures=int(policy["collection.max_auth_failures"])),
        command_timeout=float(policy["collection.command_timeout"]), secrets=credentials,
        retry=Retry(attempts=1 + int(policy["collection.retries"]),
                    delay=float(policy["collection.retry_delay"])),
        login_gate=login_gate, show_tech=tech, bastions=bastions,
    )
    return Collected(session=session, outputs=writer.outputs, evidence=writer.finish(session),
                     redactions=writer.redactions(),
                     show_tech=writer.entry(tech.command) if tech else None)


def run_inspection(
    *,
    nornir: Any,
    run_dir: Path,
    seal: Seal,
    checks: list[Check],
    policy: Policy,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    on_progress: Callable[[str, str], None] | None = None,
    hold_list: frozenset[str] | None = None,
) -> RunSummary:
    """Inspect every host of `nornir` that has no record yet in `run_dir`, and sign the run
    over its `seal` as the command found it and what the command wrote.

    Hosts a checklist declares but the program rules out (damaged, on hold, not in the
    program, checklist incomplete) are not contacted: their record says why.
    """
    share_malloc_arenas()
    meta = run_meta(run_dir)
    run_id = meta["run_id"]
    done = prepare_resume(run_dir)
    logins = int(policy["collection.max_concurrent_logins"])
    inspection = Inspection(run_id=run_id, run_dir=run_dir, checks=checks, policy=policy,
                            on_done=on_done,
                            login_gate=threading.BoundedSemaphore(logins) if logins > 0 else None,
                            hold_list=hold_list, on_progress=on_progress,
                            show_tech=bool(meta.get("show_tech")),
                            judged_with=judged_with(policy))
    excluded = excluded_hosts(nornir, hold_list, load_products())
    for hostname, assessment in sorted(excluded.items()):
        if hostname in done:
            continue
        host = nornir.inventory.hosts[hostname]
        now = utc_now()
        inspection.write(excluded_record(
            run_id=run_id, hostname=hostname, platform=host.platform, assessment=assessment,
            policy=policy, started_at=now, finished_at=now, site=host.get("site"),
            address=host.hostname, judged_with=inspection.judged_with,
        ))
    skipped = done | set(excluded)
    todo = nornir.filter(filter_func=lambda host: host.name not in skipped)
    interrupted = False
    genie_oses = [PLATFORMS[h.platform].genie_os for h in todo.inventory.hosts.values()
                  if h.platform in PLATFORMS]
    inspection.bastions = bastions_for(todo, policy)
    with judge_pool(len(todo.inventory.hosts), genie_oses) as inspection.judges:
        try:
            results = todo.run(task=inspection.task, name="inspect", on_failed=True)
        except Interrupted as stop:
            results, interrupted = stop.result, True
        finally:
            if inspection.bastions is not None:
                inspection.bastions.close()
    lost = inspection.judges.lost if inspection.judges is not None else 0
    if lost:
        # What a dead worker was writing was written again, by a new worker or the chassis's
        # own session; its temporary files would stay in the finished run.
        remove_half_written(run_dir)
    if inspection.storage_failure is not None:
        # Signed as started and never finished: a resume sets aside what no signature covers.
        raise RunError(f"the run stopped: {inspection.storage_failure}; free some space (or "
                       f"fix the permission), then `inspector run --resume {run_dir}`")
    for hostname, multi in results.items():
        result = multi[0]
        if result.failed:  # a bug of ours: the chassis still gets a record saying so
            inspection.write(build_record(
                run_id=run_id, hostname=hostname,
                platform=nornir.inventory.hosts[hostname].platform,
                results=[], session=Session(connected=False, privileged=False, error=redact_message(
                    f"internal error: {result.exception!r}",
                    host_credentials(nornir.inventory.hosts[hostname]))),
                policy=policy, started_at=utc_now(), finished_at=utc_now(),
                judged_with=inspection.judged_with,
            ))
    summary = RunSummary(run_id=run_id, run_dir=run_dir, judge_workers_lost=lost,
                         judged_here=inspection.judges is not None and inspection.judges.given_up,
                         not_judged=sorted(inspection.not_judged_hosts))
    for record in read_records(run_dir):
        row = summary_row(record)
        summary.verdicts[row["hostname"]] = row["verdict"]
        summary.rows.append(row)
    summary.missing = sorted(set(meta["hosts"]) - set(summary.verdicts))
    # Ctrl-C once every chassis had its record stopped nothing: the run is finished, not
    # left `interrupted` for a resume with nothing to do.
    summary.interrupted = interrupted and bool(summary.missing)
    with rewriting(run_dir, seal):  # run.json as signed, should the end be stopped
        summary.reports, summary.signing_key = finish_run(
            run_dir, summary.verdicts, state=INTERRUPTED if summary.missing else FINISHED,
            previous=seal, written=(path for hostname in inspection.finished
                                    for path in chassis_written(run_dir, hostname)),
            finished_at=utc_now(), interrupted=summary.interrupted)
    return summary
