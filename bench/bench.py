"""The inspector against the plain Nornir approach, on the same lab: `make bench`.

`python bench/bench.py [--sizes 10,100,500,1000] [--workers N] [--no-latency | --latency-only]`

For each size N the lab serves N healthy chassis over SSH on 127.0.0.1 from a thread of this
process, and two subprocesses inspect it in turn with the same number of workers:

- inspector: `inspector run` with the whole catalogue (`--no-show-tech` where the CLI has it),
  which collects, saves evidence, parses, judges and writes a record per chassis;
- baseline: `bench/baseline.py`, nornir-netmiko's `netmiko_send_command(use_genie=True)`, one
  task per command, the same commands, nothing judged or written.

Each is measured from the outside: wall time, CPU seconds of the process and its worker
processes (os.wait4), and peak RSS summed over the process and its workers (sampled from /proc
every 0.1 s; the lab, in this process, is not counted). The lab's own CPU meanwhile is this
process's, and the floor is all that CPU over the machine's cores: no run here can be faster.
Beside it, the share of the machine's time its cores were idle during the run (from
/proc/stat, so the kernel's own threads working for the run, which no process's CPU counts,
are busy time there; another program at work on the machine would be too).
Then the same with the lab's realistic latency (a delay at login and per command), where the
ideal wall time is that of the runner handing each chassis to the first free worker if every
chassis took exactly its time alone
(for chassis all alike: the per-chassis time times ceil(N / workers)). Each profile's time
alone is measured first, with the run's start and finish taken out (see `times_alone`). Last,
the time of `inspector --help` and of an offline rerun of one check of the smallest and the
largest run.

Prints the figures as Markdown tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere in the repo

from mock_devices import (  # noqa: E402
    ChassisSpec,
    Latency,
    load_profiles,
    plan_lab,
    running_lab,
    write_inventory,
)

# Of the order of real chassis: an SSH login with its banner and prompt takes about a second,
# a show command a fifth of one (more for long outputs, less for short ones).
REALISTIC = Latency(login=1.0, command=0.2)
RERUN_CHECK = "op.interfaces.errors"  # Genie-parsed: the rerun pays Genie's import too
TIMEOUT = 3600.0  # seconds for one run before it is stopped and reported as such


@dataclass(frozen=True, kw_only=True)
class Measured:
    wall: float
    cpu: float  # user + system, the process and the children it waited for
    served_cpu: float  # user + system of this process meanwhile: the lab serving the run
    peak_rss_mb: float  # summed over the process tree, sampled
    returncode: int | None  # None: stopped after TIMEOUT
    output: str
    idle: float | None = None  # the share of the cores' time idle meanwhile (/proc/stat)


def _cpu_times() -> list[int] | None:
    """The machine's CPU time so far by kind (user, nice, system, idle, iowait, ...)."""
    try:
        with open("/proc/stat") as stat:
            return [int(ticks) for ticks in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                for child in handle.read().split():
                    pids += _tree(int(child))
    except OSError:
        pass
    return pids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: Sequence[str], env: dict[str, str] | None = None,
            timeout: float = TIMEOUT) -> Measured:
    """Run `command`, returning its wall time, CPU time and peak RSS (with its children)."""
    with tempfile.TemporaryFile("w+") as out:
        served = resource.getrusage(resource.RUSAGE_SELF)
        machine = _cpu_times()
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True,
                                   env={**os.environ, **(env or {})}, cwd=ROOT)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.1):
                peak = max(peak, sum(_rss_kb(pid) for pid in _tree(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        now = resource.getrusage(resource.RUSAGE_SELF)
        after = _cpu_times()
        killer.cancel()
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        timed_out = wall >= timeout
        out.seek(0)
        return Measured(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                        served_cpu=(now.ru_utime + now.ru_stime
                                    - served.ru_utime - served.ru_stime),
                        peak_rss_mb=max(peak, usage.ru_maxrss) / 1024,
                        returncode=None if timed_out else process.returncode, output=out.read(),
                        idle=_idle_share(machine, after))


def _idle_share(before: list[int] | None, after: list[int] | None) -> float | None:
    if before is None or after is None:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return (spent[3] + spent[4]) / sum(spent) if sum(spent) else None  # idle and iowait


def _inspector() -> list[str]:
    script = Path(sys.executable).with_name("inspector")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "inspector"]


def default_workers() -> int:
    from inspector.cli import run

    default = next(p.default for p in run.params if p.name == "workers")
    assert isinstance(default, int), default  # a number in the option, never a callable
    return default


class Sides:
    """How each side is started, and the scratch space its runs write to."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.env = {"INSPECTOR_KEY": str(scratch / "bench-key.pem"), "COLUMNS": "200"}
        usage = subprocess.run([*_inspector(), "run", "--help"], capture_output=True, text=True,
                               check=True).stdout
        self.extra = ["--no-show-tech"] if "--no-show-tech" in usage else []
        self.runs = 0
        self.probes = 0

    def inspector(self, inventory: Path, workers: int) -> tuple[Measured, Path]:
        """Inspect the lab; the run's folder stays until the bench ends (see `file_cost_us`)."""
        self.runs += 1
        out = self.scratch / "runs"
        run_id = f"run{self.runs}"
        measured = measure([*_inspector(), "run", "--inventory", str(inventory), "--out", str(out),
                            "--run-id", run_id, "--workers", str(workers), *self.extra],
                           env=self.env)
        return measured, out / run_id

    def file_cost_us(self) -> float:
        """Microseconds of system time to create a file where a run writes its evidence: 2,000
        files of 3 kB in 100 new folders, kept. About 15 on this machine's ext4, which has no
        journal; 300 just after a run's folder was deleted. Without a journal, ext4 does not
        reuse an inode freed in the last minute (six, while its inode table is unwritten), and
        goes past each such inode of the folder's group for every file it creates. A run of
        1000 chassis creates 23,000 files, so the bench deletes none of its runs until it
        ends, and says the figure beside each run."""
        self.probes += 1
        top = self.scratch / "probes" / f"probe{self.probes}"
        began = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        for folder in range(100):
            (top / f"host{folder}").mkdir(parents=True)
            for number in range(20):
                (top / f"host{folder}" / f"output{number}.txt").write_bytes(b"x" * 3000)
        return (resource.getrusage(resource.RUSAGE_SELF).ru_stime - began) * 1e6 / 2000

    def baseline(self, inventory: Path, workers: int) -> Measured:
        return measure([sys.executable, str(ROOT / "bench" / "baseline.py"), "--inventory",
                        str(inventory), "--workers", str(workers)])


def _ok(side: str, measured: Measured, n: int) -> str:
    if measured.returncode is None:
        return "timed out"
    if side == "inspector":
        line = next((ln for ln in measured.output.splitlines() if f"{n} chassis:" in ln), "")
        if not line:
            return f"exit {measured.returncode}"
        return line.split(":", 1)[1].strip().split(",")[0]  # "1000 passed"
    last = (measured.output.strip().splitlines() or [""])[-1]
    try:
        data = json.loads(last)
        return f"{data['ok']} ok" + (f", {data['chassis'] - data['ok']} failed"
                                     if data["ok"] != data["chassis"] else "")
    except (ValueError, KeyError):
        return f"exit {measured.returncode}"


@dataclass(frozen=True, kw_only=True)
class Alone:
    """Seconds one chassis of each lab profile takes on one side when inspected alone, and the
    start and finish of a run (imports, reports, signing), which the ideal leaves out."""

    per_profile: dict[str, float]
    start_and_finish: float

    def ideal(self, specs: Sequence[ChassisSpec], workers: int) -> float:
        """The wall time of a run in which every chassis took exactly its time alone and
        nothing else cost anything: the runner hands chassis out in inventory order to the
        first free worker. For chassis that all take t, that is t * ceil(N / workers)."""
        free = [0.0] * workers
        for spec in specs:
            heapq.heappush(free, heapq.heappop(free) + self.per_profile[spec.profile])
        return max(free)


def times_alone(sides: Sides, scenario: str, latency: Latency) -> dict[str, Alone]:
    """Each side's `Alone`, from runs of one worker: one chassis of each profile, and two of
    the first. Two take one start and finish and two chassis, one takes one and one, so the
    start and finish is 2 * one - two, and each profile's time the rest of its run of one."""
    planned = plan_lab(2 * len(load_profiles()), scenario)  # profiles dealt in turn: each twice
    result = {}
    with tempfile.TemporaryDirectory(dir=sides.scratch) as tmp, \
            running_lab(planned, latency=latency) as lab:
        firsts: dict[str, ChassisSpec] = {}
        for spec in lab.specs:  # with the ports they listen on
            firsts.setdefault(spec.profile, spec)
        first = next(iter(firsts.values()))
        second = next(s for s in lab.specs if s.profile == first.profile and s is not first)
        for side in ("inspector", "baseline"):
            def wall(chassis: list[ChassisSpec], side: str = side) -> float:
                inventory = Path(tmp) / side / "-".join(c.hostname for c in chassis)
                write_inventory(chassis, inventory)
                if side == "inspector":
                    return sides.inspector(inventory, 1)[0].wall
                return sides.baseline(inventory, 1).wall

            one = {profile: wall([spec]) for profile, spec in firsts.items()}
            fixed = 2 * one[first.profile] - wall([first, second])
            result[side] = Alone(per_profile={p: t - fixed for p, t in one.items()},
                                 start_and_finish=fixed)
    return result


def row(n: int, side: str, m: Measured, ok: str, ratio: str, extra: Sequence[str] = ()) -> str:
    per_minute = n / m.wall * 60
    # The floor: no run on this machine can be faster than all the CPU it and the lab spend,
    # spread over every core.
    floor = (m.cpu + m.served_cpu) / (os.cpu_count() or 1)
    cells = [str(n), side, f"{m.wall:.1f}", f"{per_minute:.0f}", f"{m.cpu:.1f}",
             f"{m.cpu / n * 1000:.0f}", f"{m.served_cpu:.1f}", f"{floor:.1f}",
             f"{m.wall / floor:.2f}" if floor else "-",
             "-" if m.idle is None else f"{m.idle * 100:.1f}", f"{m.peak_rss_mb:.0f}", ok, ratio,
             *extra]
    return "| " + " | ".join(cells) + " |"


def bench_sizes(sides: Sides, sizes: list[int], workers: int, scenario: str,
                latency: Latency | None, rerun_from: list[Path]) -> None:
    header = ["N", "side", "wall s", "chassis/min", "CPU s", "CPU ms/chassis", "lab CPU s",
              "floor s", "wall ÷ floor", "idle %", "peak RSS MB", "chassis",
              "inspector ÷ baseline",
              "file creation µs"]
    alone: dict[str, Alone] = {}
    if latency is not None:
        alone = times_alone(sides, scenario, latency)
        print("\nOne chassis alone, s (the run's start and finish taken out):\n")
        profiles = list(alone["inspector"].per_profile)
        print("| side | " + " | ".join(profiles) + " | start and finish |")
        print("|" + "---|" * (len(profiles) + 2))
        for side, times in alone.items():
            print(f"| {side} | " + " | ".join(f"{times.per_profile[p]:.2f}" for p in profiles)
                  + f" | {times.start_and_finish:.2f} |")
        header += ["ideal s", "wall ÷ ideal"]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)
    for n in sizes:
        specs = plan_lab(n, scenario)
        with tempfile.TemporaryDirectory(dir=sides.scratch) as tmp, \
                running_lab(specs, inventory_out=Path(tmp),
                            latency=latency or Latency()):
            file_us = sides.file_cost_us()
            mine, run_dir = sides.inspector(Path(tmp), workers)
            if latency is None and n in (min(sizes), max(sizes)):
                rerun_from.append(run_dir)
            theirs = sides.baseline(Path(tmp), workers)
        ratio = f"{theirs.wall / mine.wall:.1f}x chassis/min"
        for side, m in (("inspector", mine), ("baseline", theirs)):
            extra = [f"{file_us:.0f}" if side == "inspector" else ""]
            if latency is not None:
                target = alone[side].ideal(specs, workers)
                extra += [f"{target:.1f}", f"{m.wall / target:.2f}"]
            print(row(n, side, m, _ok(side, m, n), ratio if side == "inspector" else "",
                      extra), flush=True)


def bench_commands(sides: Sides, run_dirs: list[Path]) -> None:
    helps = [measure([*_inspector(), "--help"]).wall for _ in range(5)]
    print(f"\n`inspector --help`: {statistics.median(helps):.2f} s (median of 5)")
    for run_dir in run_dirs:
        hosts = sorted(p.stem for p in (run_dir / "records").glob("*.json"))
        # A Catalyst 9300: its interface counters are read with Genie, import included.
        host = min(hosts, key=lambda h: ("cat9300" not in h, h))
        reruns = [measure([*_inspector(), "rerun", str(run_dir), "--host", host, "--check",
                           RERUN_CHECK], env=sides.env) for _ in range(3)]
        print(f"`inspector rerun RUN_DIR --host {host} --check {RERUN_CHECK}` on a run of "
              f"{len(hosts)} chassis: {statistics.median(m.wall for m in reruns):.2f} s "
              f"(median of 3), exit {reruns[-1].returncode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,500,1000",
                        help="comma-separated chassis counts (default: %(default)s)")
    parser.add_argument("--workers", type=int, help="both sides (default: the inspector's)")
    parser.add_argument("--scenario", default="healthy", help="lab scenario (default: healthy)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-latency", action="store_true", help="skip the latency runs")
    which.add_argument("--latency-only", action="store_true", help="only the latency runs")
    parser.add_argument("--login-latency", type=float, default=REALISTIC.login)
    parser.add_argument("--command-latency", type=float, default=REALISTIC.command)
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    workers = args.workers or default_workers()
    latency = Latency(login=args.login_latency, command=args.command_latency)

    print(f"# bench: {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, lab in-process on 127.0.0.1, scenario {args.scenario}, "
          f"{workers} workers on both sides, sizes {sizes}", flush=True)
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as scratch:
        sides = Sides(Path(scratch))
        rerun_from: list[Path] = []
        if not args.latency_only:
            print("\n## Without latency")
            bench_sizes(sides, sizes, workers, args.scenario, None, rerun_from)
        if not args.no_latency:
            print(f"\n## With latency: {latency.login:g} s at login, {latency.command:g} s "
                  "per command")
            bench_sizes(sides, sizes, workers, args.scenario, latency, rerun_from)
        print("\n## Commands")
        bench_commands(sides, rerun_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
