"""The warm grading server of ``quiz grade``: started by the first grade, kept for the next.

Importing torch is most of what a cold ``quiz grade`` costs, and a student grades the same
file again and again. So ``quiz grade`` on its own files (one worker) asks a *warm server*
for its workers: a small process, started by the first ``quiz grade`` and detached from it,
that holds one started :class:`~grader.pool.GraderPool` and grades for the next commands,
one at a time. It ends by itself after ``MLQUIZ_WARM_SECONDS`` (default 600) without a
client; ``MLQUIZ_WARM_SECONDS=0`` turns it off, and ``quiz grade`` then starts its own
workers each time, as before.

Who may use it: the server listens on a Unix socket in a folder of the user's own runtime
directory (``$XDG_RUNTIME_DIR/mlquiz``, else a private folder of the temporary directory),
which must belong to the user and be closed to everyone else (mode 0700), and it serves
only a peer of its own uid (``SO_PEERCRED``). Submitted code never reaches it: it runs in
the sandbox, which has no sockets, no ``/run`` and a private ``/tmp``. The socket's name
carries a digest of mlquiz's own code, the interpreter and the sandbox mode, so that a
changed install or another mode gets a server of its own (an old one ends when idle).

Nothing changes in what is graded or how: the server relays the jobs a command would have
sent its own pool, and the reports back, unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._errors import GraderError
from .pool import START_TIMEOUT, GraderPool, _server_environment, sandbox_available

IDLE_SECONDS = 600
_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid
_MAX_LINE = 64 * 1024 * 1024
_MAX_PATH = 107


def warm_seconds() -> int:
    """How long the warm server waits for its next client; 0: no warm server."""
    try:
        return max(0, int(os.environ.get("MLQUIZ_WARM_SECONDS", IDLE_SECONDS)))
    except ValueError:
        return IDLE_SECONDS


def _private(folder: Path) -> bool:
    """``folder`` is a real folder of this user's, closed to everyone else."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        (info.st_mode & 0o170000) == 0o040000  # a folder, not a link to one
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o077
    )


def _safe_parent(folder: Path) -> bool:
    """Nobody but this user (or root) can rename what ``folder`` holds."""
    try:
        info = folder.stat()
    except OSError:
        return False
    if info.st_uid not in (0, os.getuid()):
        return False
    return not info.st_mode & 0o022 or bool(info.st_mode & 0o1000)  # or sticky, as /tmp


def runtime_folder() -> Path | None:
    """This user's private folder for the server's socket, made if need be; None if no
    folder can be trusted (one made by someone else, or open to others)."""
    import platformdirs

    with warnings.catch_warnings():  # no XDG_RUNTIME_DIR: it falls back, and says so
        warnings.simplefilter("ignore")
        base = Path(platformdirs.user_runtime_dir())
    for folder in (base / "mlquiz", Path(tempfile.gettempdir()) / f"mlquiz-{os.getuid()}"):
        with contextlib.suppress(OSError):
            folder.parent.mkdir(mode=0o700, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        if _private(folder) and _safe_parent(folder.parent):
            return folder
    return None


def _code_digest(light: bool) -> str:
    """Changes with mlquiz's code (what the workers import), the interpreter and the mode."""
    digest = hashlib.sha256(f"{sys.executable}\0{light}\0".encode())
    root = Path(__file__).resolve().parent.parent
    paths = [
        p for package in ("grader", "questions") for p in sorted((root / package).rglob("*.py"))
    ]
    # And the torch the workers import (found, not imported: that is what takes seconds).
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec("torch")
        if spec is not None and spec.origin:
            paths += [Path(spec.origin), Path(spec.origin).with_name("version.py")]
    for path in paths:
        with contextlib.suppress(OSError):
            info = path.stat()
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:16]


def address() -> Path | None:
    """Where the warm server for this install and sandbox mode listens (None: nowhere)."""
    folder = runtime_folder()
    if folder is None:
        return None
    light = not sandbox_available()
    where = folder / f"grader-{'light' if light else 'bwrap'}-{_code_digest(light)}.sock"
    # A Unix socket's path has room for 107 bytes (the server binds a shorter name first).
    return where if len(os.fsencode(where)) <= _MAX_PATH else None


# --------------------------------------------------------------------------- the client


class WarmPool(GraderPool):
    """A :class:`GraderPool` whose one worker is the warm server's (started if need be)."""

    def __init__(self, where: Path) -> None:
        super().__init__(jobs=1)
        self._where = where
        self._sock: socket.socket | None = None
        self._own: GraderPool | None = None  # workers of its own, when the server cannot

    def launch(self) -> None:
        """Connect (starting the server first if none listens); raises ``OSError`` if it
        cannot."""
        if self._sock is not None or self._own is not None:
            return
        self._ready = False
        self._sock = _connect(self._where)

    def start(self) -> None:
        """Wait for the warm server's workers; if it is busy with another command, or going
        away, start workers of this pool's own instead (as without a warm server)."""
        if self._own is None:
            try:
                super().start()
                return
            except (GraderError, OSError):
                self.terminate()
            self._own = GraderPool(jobs=1)
        self._own.start()
        self.mode, self.notes = self._own.mode, self._own.notes

    def _reply_fd(self) -> int | None:
        return self._sock.fileno() if self._sock is not None else None

    def _run(self, jobs: Sequence[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
        self.start()
        if self._own is not None:
            yield from self._own._run(jobs)
            return
        assert self._sock is not None
        try:
            self._sock.sendall(json.dumps({"jobs": list(jobs)}).encode() + b"\n")
        except OSError:
            raise GraderError("the grading workers stopped unexpectedly") from None
        left = set(range(len(jobs)))
        while left:
            message = self._read_line(None)
            if message is None or "error" in message:
                raise GraderError("the grading workers stopped unexpectedly")
            index = message.get("index")
            if index in left and isinstance(message.get("report"), dict):
                left.discard(index)
                yield index, message["report"]

    def terminate(self) -> None:
        """Hang up: the server ends what it was grading for this pool (or end the workers of
        its own)."""
        if self._own is not None:
            self._own.terminate()
        sock, self._sock = self._sock, None
        self._buffer = b""
        self._ready = False
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
        self.terminate()


def _connect(where: Path) -> socket.socket:
    """A connection to the server at ``where``, started if none answers."""
    with contextlib.suppress(OSError):
        return _dial(where)
    server = _start_server(where)
    deadline = time.monotonic() + 10
    while True:
        try:
            return _dial(where)
        except OSError:
            # A server that could not serve says so by its exit status (0: another one
            # serves there, and will listen soon): no need to wait out the deadline.
            if time.monotonic() > deadline or server.poll() not in (None, 0):
                raise
            time.sleep(0.01)


def _dial(where: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(where))
    except OSError:
        sock.close()
        raise
    return sock


def _start_server(where: Path) -> subprocess.Popen[bytes]:
    env = _server_environment()
    env["MLQUIZ_WARM_SECONDS"] = str(warm_seconds())
    if os.environ.get("MLQUIZ_NO_BWRAP"):
        env["MLQUIZ_NO_BWRAP"] = os.environ["MLQUIZ_NO_BWRAP"]
    _started.append(
        subprocess.Popen(
            [sys.executable, "-m", "grader._warm", str(where)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd="/",  # and PYTHONSAFEPATH: no folder anyone can write to on sys.path
            start_new_session=True,
        )
    )
    return _started[-1]


_started: list[subprocess.Popen[bytes]] = []  # kept: it outlives this process, on purpose


def stop(where: Path) -> None:
    """Ask the server at ``where`` to end now (nothing if none listens)."""
    with contextlib.suppress(OSError), _dial(where) as sock:
        sock.sendall(b'{"stop": true}\n')
        sock.settimeout(10)
        while sock.recv(1 << 16):
            pass


# --------------------------------------------------------------------------- the server


def _peer_uid(conn: socket.socket) -> int:
    data = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    return int(_CREDENTIALS.unpack(data)[1])


def _read_request(conn: socket.socket, deadline: float) -> dict[str, Any] | None:
    data = b""
    while b"\n" not in data:
        wait = deadline - time.monotonic()
        if wait <= 0 or len(data) > _MAX_LINE:
            return None
        ready, _, _ = select.select([conn], [], [], wait)
        if not ready:
            return None
        chunk = conn.recv(1 << 16)
        if not chunk:
            return None
        data += chunk
    try:
        request = json.loads(data.partition(b"\n")[0])
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


class Server:
    """Holds one started pool; serves one client at a time until idle for ``idle`` s."""

    def __init__(self, where: Path, idle: int) -> None:
        self.where = where
        self.idle = idle
        self.pool = GraderPool(jobs=1)
        self.pool.launch()

    def serve(self) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        staging = self.where.with_name(f".{os.getpid()}.sock")
        staging.unlink(missing_ok=True)
        listener.bind(str(staging))
        os.chmod(staging, 0o600)
        ours = staging.stat().st_ino
        listener.listen(16)
        os.replace(staging, self.where)  # a stale socket of a dead server is replaced
        # A server of this mode for other code (before an upgrade) will not be asked again.
        mode = self.where.name.split("-")[1]
        for older in self.where.parent.glob(f"grader-{mode}-*.sock"):
            if older != self.where:
                threading.Thread(target=stop, args=(older,), daemon=True).start()

        def close() -> None:
            with contextlib.suppress(OSError):
                if self.where.stat().st_ino == ours:  # not a newer server's
                    self.where.unlink()
            listener.close()

        # One client at a time is served, in a thread; one that comes meanwhile hears at
        # once that the server is busy (and grades with workers of its own), instead of
        # waiting behind a long batch.
        serving: threading.Thread | None = None
        leave = threading.Event()
        last = time.monotonic()
        try:
            while not leave.is_set():
                busy = serving is not None and serving.is_alive()
                if busy:
                    last = time.monotonic()
                elif time.monotonic() - last > self.idle:
                    return
                ready, _, _ = select.select([listener], [], [], 0.2)
                if not ready:
                    continue
                conn, _ = listener.accept()
                if _peer_uid(conn) != os.getuid():
                    conn.close()
                elif serving is not None and serving.is_alive():
                    with conn, contextlib.suppress(OSError):
                        conn.sendall(b'{"busy": true}\n')
                else:
                    serving = threading.Thread(target=self._serve_one, args=(conn, leave))
                    serving.start()
        finally:
            close()  # a client still in the queue hears the end, and grades on its own
            if serving is not None:
                serving.join()
            self.pool.terminate()

    def _serve_one(self, conn: socket.socket, leave: threading.Event) -> None:
        with conn:
            if not self.answer(conn):
                leave.set()

    def answer(self, conn: socket.socket) -> bool:
        """Serve one client; False when it asked the server to stop."""
        process = self.pool._process
        if process is None or process.poll() is not None:  # its workers died while idle
            self._renew()
        try:
            self.pool.start()
            ready: dict[str, Any] = {
                "ready": True,
                "mode": self.pool.mode,
                "notes": list(self.pool.notes),
            }
        except GraderError as exc:
            ready = {"ready": False, "error": str(exc)}
            self._renew()
        try:
            conn.sendall(json.dumps(ready).encode() + b"\n")
        except OSError:
            return True
        request = _read_request(conn, time.monotonic() + START_TIMEOUT)
        if request is not None and request.get("stop"):
            return False
        jobs = request.get("jobs") if request is not None else None
        if not ready["ready"] or not isinstance(jobs, list):
            return True
        if not all(isinstance(job, dict) for job in jobs):
            return True
        hung_up, done = threading.Event(), threading.Event()
        watcher = threading.Thread(target=self._watch, args=(conn, hung_up, done), daemon=True)
        watcher.start()
        try:
            for sent, (index, payload) in enumerate(self.pool._run(jobs), start=1):
                if sent == len(jobs):  # nothing left to end: the client may hang up now
                    done.set()
                conn.sendall(json.dumps({"index": index, "report": payload}).encode() + b"\n")
        except (GraderError, OSError):
            with contextlib.suppress(OSError):
                conn.sendall(b'{"error": "the grading workers stopped"}\n')
            hung_up.set()  # whatever is left of this client's jobs ends with its workers
        finally:
            done.set()
            watcher.join()
        if hung_up.is_set():
            self._renew()
        return True

    def _renew(self) -> None:
        """End the workers (and whatever they still run); new ones warm up."""
        self.pool.terminate()
        self.pool = GraderPool(jobs=1)
        self.pool.launch()

    def _watch(self, conn: socket.socket, hung_up: threading.Event, done: threading.Event) -> None:
        """End the running jobs if the client hangs up before they are reported."""
        while not done.is_set():
            ready, _, _ = select.select([conn], [], [], 0.05)
            if not ready or done.is_set():  # all reported: a hang-up now ends nothing
                continue
            try:
                chunk = conn.recv(1 << 16)
            except OSError:
                chunk = b""
            if not chunk:  # hung up (anything else it sends now is not expected: dropped)
                hung_up.set()
                self.pool.terminate()
                return


def main() -> None:
    """``python -m grader._warm SOCKET``: serve there, unless a server already does."""
    where = Path(sys.argv[1])
    if not _private(where.parent):
        sys.exit(2)
    lock = os.open(where.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another server for this address is alive: let it serve
        sys.exit(0)
    Server(where, warm_seconds() or IDLE_SECONDS).serve()
    os._exit(0)


if __name__ == "__main__":
    main()
