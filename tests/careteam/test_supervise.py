"""``make run``'s process manager: a process that dies is restarted, the others keep running."""

import io
import os
import threading
import time

import pytest

from careteam import supervise


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_procfile_lines_are_name_and_command_comments_skipped():
    text = "# processes\n\nweb: run web --port ${PORT:-8000}\nworker:  celery worker \n"
    assert supervise.parse_procfile(text) == [
        ("web", "run web --port ${PORT:-8000}"),
        ("worker", "celery worker"),
    ]
    with pytest.raises(ValueError, match="line 1"):
        supervise.parse_procfile("web run")
    with pytest.raises(ValueError, match="names no process"):
        supervise.parse_procfile("# nothing\n")


def test_a_crashed_worker_is_restarted_and_the_web_server_is_left_running(monkeypatch, tmp_path):
    monkeypatch.setattr(supervise, "RESTART_DELAY", 0.1)
    monkeypatch.setattr(supervise, "STOP_GRACE", 2.0)
    starts = tmp_path / "starts"
    out = io.StringIO()
    runner = supervise.Supervisor(
        [
            ("web", "sleep 60"),
            # Dies the way a worker died on a half-written broker message: a non-zero exit.
            ("worker", f"sh -c 'echo started >> {starts}; echo JSONDecodeError; exit 1'"),
        ],
        out=out,
    )
    thread = threading.Thread(target=runner.run, kwargs={"poll": 0.05})
    thread.start()
    try:
        assert wait_for(lambda: starts.exists() and len(starts.read_text().splitlines()) >= 3)
        web, worker = runner.processes
        first_web_pid = web.proc.pid
        assert web.proc.poll() is None
        assert web.restarts == 0
        assert worker.restarts >= 2
        # The pause doubles while it keeps failing.
        assert worker.delay > supervise.RESTART_DELAY * 2
    finally:
        runner.stopping.set()
        thread.join(timeout=10)

    log = out.getvalue()
    assert "worker | JSONDecodeError" in log
    assert "worker exited with code 1; restarting in" in log
    assert web.proc.pid == first_web_pid
    assert web.proc.poll() is not None  # stopping the supervisor stopped the web server too
    with pytest.raises(ProcessLookupError):
        os.killpg(first_web_pid, 0)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(monkeypatch):
    monkeypatch.setattr(supervise, "STOP_GRACE", 0.5)
    out = io.StringIO()
    runner = supervise.Supervisor([("stubborn", "sh -c 'trap \"\" TERM; echo ready; sleep 60'")], out=out)
    thread = threading.Thread(target=runner.run, kwargs={"poll": 0.05})
    thread.start()
    assert wait_for(lambda: "stubborn | ready" in out.getvalue())
    runner.stopping.set()
    thread.join(timeout=10)

    assert not thread.is_alive()
    assert "stubborn did not stop in" in out.getvalue()
    assert runner.processes[0].proc.returncode is not None
