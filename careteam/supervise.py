"""Run the processes of a Procfile and keep them running: the embedded default's process manager.

``make run`` starts web, worker and beat from ``Procfile.dev``. A tool that stops everything when one
process ends (honcho, foreman) turns a crashed worker into a dead web server; this one restarts the
process that ended, after a pause that doubles while it keeps failing (1 s up to 60 s, back to 1 s
once it has stayed up a minute), and leaves the others alone. Ctrl-C or SIGTERM stops them all:
SIGTERM to each process group, SIGKILL to whatever is left after ten seconds.

Each output line is prefixed with the process name, as honcho did. No Django here: it must work
before the project is importable and must not hold a database connection.

    python -m careteam.supervise Procfile.dev
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

#: Seconds to wait before the first restart, the cap on the doubling, and how long a process must
#: stay up for its next failure to count as a first one again.
RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 60.0
STABLE_AFTER = 60.0
STOP_GRACE = 10.0


@dataclass
class Managed:
    name: str
    command: str
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = RESTART_DELAY
    restart_at: float | None = None
    restarts: int = 0
    reader: threading.Thread | None = field(default=None, repr=False)


def parse_procfile(text: str) -> list[tuple[str, str]]:
    """``name: command`` lines; blank lines and ``#`` comments are skipped."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ValueError(f"Procfile line {number} is not 'name: command': {raw!r}")
        entries.append((name.strip(), command.strip()))
    if not entries:
        raise ValueError("the Procfile names no process")
    return entries


class Supervisor:
    def __init__(self, entries: list[tuple[str, str]], *, out=None, clock=time.monotonic):
        self.processes = [Managed(name, command) for name, command in entries]
        self.out = out or sys.stdout
        self.clock = clock
        self.width = max(len(p.name) for p in self.processes)
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def say(self, name: str, line: str) -> None:
        with self.lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {line}\n")
            self.out.flush()

    def _pump(self, managed: Managed, stream) -> None:
        for raw in iter(stream.readline, b""):
            self.say(managed.name, raw.decode("utf-8", "replace").rstrip("\n"))
        stream.close()

    def start(self, managed: Managed) -> None:
        # Each child in its own process group, so stopping it also stops what it started (gunicorn
        # or celery's pool workers) and a Ctrl-C in the terminal reaches only the supervisor.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Through the shell, so a Procfile line may use ${VAR:-default}; exec, so the pid is the process.
        managed.proc = subprocess.Popen(  # noqa: S603 - the command is the project's own Procfile
            ["/bin/sh", "-c", f"exec {managed.command}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        managed.started_at = self.clock()
        managed.restart_at = None
        managed.reader = threading.Thread(target=self._pump, args=(managed, managed.proc.stdout), daemon=True)
        managed.reader.start()
        self.say("system", f"{managed.name} started (pid {managed.proc.pid})")

    def check(self) -> None:
        """Start whatever is due to restart; schedule a restart for whatever has ended."""
        now = self.clock()
        for managed in self.processes:
            if managed.proc is None or managed.restart_at is not None:
                if managed.restart_at is not None and now >= managed.restart_at:
                    managed.restarts += 1
                    self.start(managed)
                continue
            code = managed.proc.poll()
            if code is None:
                continue
            if managed.reader is not None:
                managed.reader.join(timeout=1)
            if now - managed.started_at >= STABLE_AFTER:
                managed.delay = RESTART_DELAY
            self.say(
                "system",
                f"{managed.name} exited with code {code}; restarting in {managed.delay:.0f} s",
            )
            managed.restart_at = now + managed.delay
            managed.delay = min(managed.delay * 2, MAX_RESTART_DELAY)

    def stop(self) -> None:
        self.stopping.set()
        running = [m for m in self.processes if m.proc is not None and m.proc.poll() is None]
        for managed in running:
            self.say("system", f"stopping {managed.name} (pid {managed.proc.pid})")
            _signal_group(managed.proc, signal.SIGTERM)
        deadline = self.clock() + STOP_GRACE
        for managed in running:
            try:
                managed.proc.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                self.say("system", f"{managed.name} did not stop in {STOP_GRACE:.0f} s; killing it")
                _signal_group(managed.proc, signal.SIGKILL)
                managed.proc.wait()

    def run(self, *, poll: float = 0.5) -> int:
        for managed in self.processes:
            self.start(managed)
        try:
            while not self.stopping.is_set():
                self.check()
                self.stopping.wait(poll)
        finally:
            self.stop()
        return 0


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("procfile", help="a Procfile: one 'name: command' a line")
    args = parser.parse_args(argv)
    with open(args.procfile, encoding="utf-8") as fh:
        supervisor = Supervisor(parse_procfile(fh.read()))

    def on_signal(signum, frame):
        supervisor.say("system", f"{signal.Signals(signum).name} received; stopping")
        supervisor.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
