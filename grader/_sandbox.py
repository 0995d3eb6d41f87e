"""The sandbox, seen from the trusted side: starting the cell server, bounding each submission.

The judge server (``_zygote``) starts one *cell server* (``_contestant.main``),
the only process from which submitted code ever runs. Two modes:

- ``bubblewrap`` (``bwrap`` on the ``PATH``): the cell server runs in a new user,
  PID, network, IPC and UTS namespace as uid 65534, on a file system made of the
  interpreter, its site-packages and the four sandbox files of this package, all
  read-only, with a private ``/tmp``, a read-only ``/proc`` of its own and a
  seccomp filter loaded by bubblewrap (``--seccomp``).
- ``light`` (no bubblewrap): the cell server runs as a plain child process;
  each contestant still builds its namespaces and read-only view itself
  (``_confine``), hiding home folders, ``/root``, ``/run``, ``/var``, the deck
  folders and the project's source, but the rest of the host's file system is
  readable.

For each submission the judge puts the contestant (its real pid comes from the
kernel, through ``SCM_CREDENTIALS``) into a cgroup of its own that bounds the
memory and the number of processes of everything it starts, where cgroups are
writable (cgroup v2, or v1 ``memory`` and ``pids``; usually only for root).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import site
import socket
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from . import _confine

HERE = Path(__file__).resolve().parent
CELL_FILES = ("_contestant.py", "_wire.py", "_trace.py", "_confine.py", "_transplant.py")
CELL_PACKAGE = "/opt/mlquiz/mlquiz_cell"
MiB = 1024 * 1024
CGROUP_ROOT = Path("/sys/fs/cgroup")
SANDBOX_UID = 65534


def bubblewrap() -> str | None:
    """The ``bwrap`` executable, unless missing or turned off with ``MLQUIZ_NO_BWRAP=1``."""
    if os.environ.get("MLQUIZ_NO_BWRAP"):
        return None
    from .pool import SYSTEM_PATH

    return shutil.which("bwrap", path=SYSTEM_PATH)


def runtime_paths() -> list[str]:
    """What the interpreter needs to run with torch: prefixes and package folders."""
    import importlib.util

    # Only torch's location: the judge server starts the cell before importing torch.
    spec = importlib.util.find_spec("torch")
    torch_folder = Path(spec.origin).resolve().parent.parent if spec and spec.origin else None
    paths = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        *([str(torch_folder)] if torch_folder else []),
        *site.getsitepackages(),
    }
    seccomp = importlib.util.find_spec("pyseccomp")
    if seccomp is not None and seccomp.origin:
        paths.add(str(Path(seccomp.origin).resolve().parent))
    executable = Path(sys.executable)
    paths.add(str(executable.parent))
    paths.add(str(executable.resolve().parent))
    folders = sorted({str(Path(p).resolve()) for p in paths if Path(p).exists()} | paths)
    return [p for p in folders if Path(p).exists()]


def project_folders(deck_folders: list[str]) -> list[str]:
    """Folders that hold references: the deck folders and this project's own packages."""
    import importlib.util

    spec = importlib.util.find_spec("questions")  # where it is, without importing it
    own = [HERE, HERE.parent / "quiz"]
    if spec is not None and spec.origin:
        own.append(Path(spec.origin).resolve().parent)
    folders = {str(p) for p in own if p.is_dir()} | set(deck_folders)
    if (HERE.parent / ".git").exists() or (HERE.parent / "pyproject.toml").exists():
        folders.add(str(HERE.parent))  # a source checkout: its .git holds every reference
    return sorted(folders)


def light_hidden(deck_folders: list[str]) -> list[str]:
    """What a contestant hides when there is no bubblewrap around it."""
    home = os.environ.get("HOME", "")
    places = ["/root", "/home", "/run", "/var", "/srv", "/mnt", "/media", "/opt", "/boot"]
    places += ["/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/sudoers", "/etc/sudoers.d"]
    if home and home != "/":
        places.append(home)
    return sorted({*places, *project_folders(deck_folders)})


def _cell_code() -> str:
    return (
        "import sys; sys.path.insert(0, {path!r}); from {package}._contestant import main; main()"
    )


def _seccomp_fd() -> int | None:
    """The outer filter (namespaces still allowed) as BPF on a readable descriptor."""
    filt = _confine.seccomp_filter(deny_namespaces=False)
    if filt is None:
        return None
    read_fd, write_fd = os.pipe()
    try:
        with os.fdopen(os.dup(write_fd), "wb") as sink:
            filt.export_bpf(sink)  # type: ignore[attr-defined]
    finally:
        os.close(write_fd)
    return read_fd


@dataclass
class Cell:
    """The running cell server: its process, control socket and mode."""

    pid: int
    control: socket.socket
    mode: str  # "bubblewrap" or "light"
    notes: tuple[str, ...]

    def spawn(self, cell_id: int, fds: list[int], request: dict[str, object]) -> None:
        payload = json.dumps({"op": "spawn", "id": cell_id, **request}).encode()
        socket.send_fds(self.control, [payload], fds)

    def kill(self, cell_id: int) -> None:
        with contextlib.suppress(OSError):
            self.control.send(json.dumps({"op": "kill", "id": cell_id}).encode())

    def alive(self) -> bool:
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return done == 0

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.control.close()
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)


def start_cell(deck_folders: list[str], *, use_bubblewrap: bool = True) -> Cell:
    """Start the cell server (not yet warm: its first message says it is ready)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    bwrap = bubblewrap() if use_bubblewrap else None
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "PYTHONSAFEPATH": "1",  # no working folder on sys.path: see pool._server_environment
    }
    notes: list[str] = []
    pass_fds = [theirs.fileno()]
    if bwrap:
        settings = {"whole_host": False, "hide": [], "keep": runtime_paths()}
        code = _cell_code().format(path=str(Path(CELL_PACKAGE).parent), package="mlquiz_cell")
        seccomp = _seccomp_fd()
        command = [bwrap, *_bwrap_arguments(deck_folders, seccomp)]
        if seccomp is None:
            notes.append("not isolated: seccomp filter (pyseccomp or libseccomp not installed)")
        else:
            pass_fds.append(seccomp)
        command += ["--", sys.executable, "-s", "-B", "-P", "-c", code]
        mode = "bubblewrap"
    else:
        seccomp = None
        settings = {
            "whole_host": True,
            "hide": light_hidden(deck_folders),
            "keep": runtime_paths(),
        }
        code = _cell_code().format(path=str(HERE.parent), package=HERE.name)
        command = [sys.executable, "-s", "-B", "-P", "-c", code]
        mode = "light"
        notes.append(
            "not isolated: bubblewrap is not installed, so the rest of the file system "
            "(outside home folders, /root, /run, /var and the deck and project folders) "
            "is readable"
        )
    command += [str(theirs.fileno()), json.dumps(settings)]
    pid = _spawn(command, env, pass_fds)
    theirs.close()
    if seccomp is not None:
        os.close(seccomp)
    return Cell(pid, ours, mode, tuple(notes))


def _spawn(command: list[str], env: dict[str, str], pass_fds: list[int]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            for fd in pass_fds:
                os.set_inheritable(fd, True)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)  # the cell server never prints; its contestants get their own
            for name in os.listdir("/proc/self/fd"):
                if int(name) > 2 and int(name) not in pass_fds:
                    with contextlib.suppress(OSError):
                        os.close(int(name))
            _confine.die_with_parent()
            os.execve(command[0], command, env)
        finally:
            os._exit(127)
    return pid


def _bwrap_arguments(deck_folders: list[str], seccomp: int | None) -> list[str]:
    args = [
        "--unshare-all",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
    ]
    # First the fresh mounts: a bind below /tmp (a checkout there) must go on top of them.
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for top in ("/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin"):
        folder = Path(top)
        if folder.is_symlink():
            args += ["--symlink", os.readlink(folder), top]
        elif folder.is_dir():
            args += ["--ro-bind", top, top]
    args += ["--ro-bind", "/usr", "/usr"]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime"):
        if Path(etc).exists():
            args += ["--ro-bind", etc, etc]
    runtime = [p for p in runtime_paths() if not p.startswith("/usr/")]
    for path in _outermost(runtime):
        args += ["--ro-bind", path, path]
    # Inside the bound folders, cover whatever holds references: an installed copy of
    # this project (decks included) and any deck folder that lies within.
    bound = _outermost([*runtime, "/usr"])
    for hidden in project_folders(deck_folders):
        if any(hidden == b or hidden.startswith(b.rstrip("/") + "/") for b in bound):
            args += ["--tmpfs", hidden]
    for name in CELL_FILES:
        args += ["--ro-bind", str(HERE / name), f"{CELL_PACKAGE}/{name}"]
    args += ["--ro-bind", "/dev/null", f"{CELL_PACKAGE}/__init__.py"]
    # Last, once everything is mounted: nothing of the view is writable but the private
    # /tmp (and each contestant covers it with its own). Bubblewrap's root and /dev are
    # tmpfs, shared by every contestant of the cell: writable, a file one submission left
    # there would be there for the next (a module on sys.path, memory kept for good).
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]
    args += ["--chdir", "/tmp"]
    if seccomp is not None:
        args += ["--seccomp", str(seccomp)]
    return args


def _outermost(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another of the list."""
    ordered = sorted(set(paths), key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


# --------------------------------------------------------------------------- cgroups


@dataclass
class Group:
    """A cgroup that bounds one submission as a whole; ``None`` paths where unavailable."""

    folders: list[Path]

    def add(self, pid: int) -> None:
        for folder in self.folders:
            with contextlib.suppress(OSError):
                (folder / "cgroup.procs").write_text(str(pid))

    def close(self) -> None:
        """Kill whatever is left in it, then remove it."""
        for _ in range(50):
            pids: set[int] = set()
            for folder in self.folders:
                with contextlib.suppress(OSError, ValueError):
                    pids |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            import time

            time.sleep(0.01)
        for folder in self.folders:
            with contextlib.suppress(OSError):
                folder.rmdir()


def group_name(judge_pid: int) -> str:
    """The name of the cgroup of the submission a judge grades: the judge's pid, so that
    the server that forked the judge can remove it when the judge cannot."""
    return str(judge_pid)


def _group_parents() -> list[Path]:
    """Where mlquiz's cgroups live: one folder (cgroup v2) or one per v1 controller."""
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return [CGROUP_ROOT / "mlquiz"]
    return [CGROUP_ROOT / controller / "mlquiz" for controller in ("memory", "pids")]


def remove_group(name: str) -> None:
    """Kill whatever is left in the cgroup ``name`` and remove it; nothing if there is none.

    The judge removes its submission's group itself when it ends; the server calls this
    after a judge has exited, before reaping it (so its pid, the group's name, cannot have
    been reused), for a judge that died first.
    """
    Group([parent / name for parent in _group_parents() if (parent / name).is_dir()]).close()


def sweep_groups() -> None:
    """Remove empty groups left by judges that no longer exist (a server killed outright)."""
    for parent in _group_parents():
        with contextlib.suppress(OSError):
            for folder in parent.iterdir():
                if folder.name.isdigit() and not Path(f"/proc/{folder.name}").exists():
                    with contextlib.suppress(OSError):  # not empty (or in use): kept
                        folder.rmdir()


def make_group(name: str, memory_bytes: int, processes: int) -> tuple[Group, list[str]]:
    """A cgroup for one submission; returns it and notes on what could not be bounded."""
    folders: list[Path] = []
    notes: list[str] = []
    unified = CGROUP_ROOT / "cgroup.controllers"
    if unified.exists():  # cgroup v2
        folder = CGROUP_ROOT / "mlquiz" / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "memory.max").write_text(str(memory_bytes))
            (folder / "memory.swap.max").write_text("0")
            (folder / "pids.max").write_text(str(processes))
            folders.append(folder)
        except OSError:
            notes.append("not bounded as a whole: memory and processes (no writable cgroup)")
        return Group(folders), notes
    for controller, files in (
        ("memory", {"memory.limit_in_bytes": memory_bytes}),
        ("pids", {"pids.max": processes}),
    ):
        folder = CGROUP_ROOT / controller / "mlquiz" / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for file, value in files.items():
                (folder / file).write_text(str(value))
            folders.append(folder)
        except OSError:
            with contextlib.suppress(OSError):
                folder.rmdir()
            what = "memory" if controller == "memory" else "number of processes"
            notes.append(f"not bounded as a whole: {what} (no writable {controller} cgroup)")
    return Group(folders), notes
