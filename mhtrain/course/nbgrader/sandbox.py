"""Running a submission's kernel in a bubblewrap sandbox, reached over an IPC socket.

nbgrader starts one kernel per submission through nbclient's ``kernel_manager_class``. The
:class:`SandboxedKernelManager` here starts that kernel inside ``bwrap`` (bubblewrap, on Linux):
the whole file system read-only, the course folder and ``/tmp`` hidden, only the marked copy of
the submission writable, the course data (and the learners' dataset cache) read-only, no
network, and limits on memory, processes, file size and CPU time. The sandbox shares no
network with the marking process, so the kernel is reached over jupyter_client's ``ipc``
transport: Unix sockets in a short private folder bound into the sandbox. When marking ends,
the sandbox's own process namespace ends with its first process, so nothing an answer cell
started outlives marking.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from mhtrain import files
from mhtrain.errors import MhtrainError

#: Limits for one marking kernel (each can be changed in the course's own settings).
MEMORY_MB = 4096
PROCESSES = 256
CPU_SECONDS = 900
FILE_MB = 512

_PROBE_TIMEOUT = 20


@functools.lru_cache(maxsize=1)
def sandbox_problem() -> str | None:
    """Say why no sandbox can be made here (None when ``bwrap`` works).

    Returns
    -------
    str or None
        A plain sentence for the tutor, or None.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return (
            "no sandbox is available (bubblewrap is not installed: on Debian or Ubuntu run "
            "`apt-get install bubblewrap`), so learners' code runs with your own rights"
        )
    try:
        probe = subprocess.run(
            [bwrap, *_base_args(), "true"],
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"no sandbox is available (bubblewrap did not start: {exc})"
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        return f"no sandbox is available (bubblewrap cannot run here: {why})"
    return None


def _base_args() -> list[str]:
    return [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--unshare-all",
        "--die-with-parent",
    ]


def _needed_under_tmp() -> list[Path]:
    """Folders the kernel needs to run at all that the sandbox's empty ``/tmp`` would hide.

    The Python environment and the mhtrain package usually live elsewhere; a checkout or a
    virtual environment under ``/tmp`` (a fresh clone on a build machine, say) is shown again
    read-only. The course folder and the lesson sources are hidden after this, so they stay
    hidden even when they sit inside one of these folders.
    """
    import mhtrain

    tmp = Path("/tmp").resolve()
    candidates = {
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(sys.executable).resolve().parent.parent,
        Path(mhtrain.__file__).resolve().parent,
    }
    return sorted(c for c in candidates if c.is_relative_to(tmp) and c.exists())


@dataclass
class Sandbox:
    """What one marking kernel may see and use.

    Attributes
    ----------
    writable : Path
        The marked copy of the submission (the kernel's working folder).
    readonly : list of Path
        Folders the kernel may read although they sit in a hidden place (the course data).
    hidden : list of Path
        Folders the kernel must not see at all (the course folder).
    memory_mb, processes, cpu_seconds, file_mb : int
        The kernel's limits.
    """

    writable: Path
    readonly: list[Path] = field(default_factory=list)
    hidden: list[Path] = field(default_factory=list)
    memory_mb: int = MEMORY_MB
    processes: int = PROCESSES
    cpu_seconds: int = CPU_SECONDS
    file_mb: int = FILE_MB

    def wrap(self, cmd: Sequence[str], *, sockets: Path) -> list[str]:
        """Return ``cmd`` wrapped to run inside the sandbox, with ``sockets`` writable."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise MhtrainError("bubblewrap (bwrap) is not installed; install it to mark safely")
        args = [bwrap, *_base_args()]
        for folder in _needed_under_tmp():
            args += ["--ro-bind", str(folder), str(folder)]
        for folder in self.hidden:
            args += ["--tmpfs", str(folder)]
        for folder in self.readonly:
            if folder.exists():
                args += ["--ro-bind", str(folder), str(folder)]
        args += ["--bind", str(self.writable), str(self.writable)]
        args += ["--bind", str(sockets), str(sockets), "--chdir", str(self.writable)]
        # The kernel's parent inside the sandbox is the sandbox's first process, which
        # ipykernel would take for an orphaned kernel; --die-with-parent does its job instead.
        args += ["--setenv", "JPY_PARENT_PID", "1"]
        # Home is read-only: IPython and Matplotlib keep their settings with the sockets.
        args += ["--setenv", "IPYTHONDIR", str(sockets / "ipython")]
        args += ["--setenv", "MPLCONFIGDIR", str(sockets / "matplotlib")]
        limits = [
            shutil.which("prlimit") or "prlimit",
            f"--as={self.memory_mb * 1024 * 1024}",
            f"--nproc={self.processes}",
            f"--cpu={self.cpu_seconds}",
            f"--fsize={self.file_mb * 1024 * 1024}",
            "--",
        ]
        return [*args, "--", *limits, *cmd]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in a :class:`Sandbox`, over the ``ipc`` transport.

    Set :attr:`sandbox` before the kernel starts. The connection file and the kernel's sockets
    live in a private folder under ``/tmp`` (Unix socket paths must be short), bound into the
    sandbox and removed when the kernel's resources are cleaned up.
    """

    sandbox: Sandbox | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sockets = Path(tempfile.mkdtemp(prefix="mhk-", dir="/tmp"))
        self.transport = "ipc"
        self.ip = str(self._sockets / "k")
        self.connection_file = str(self._sockets / "kernel.json")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """Return the kernel command, wrapped in the sandbox."""
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.sandbox is None:
            raise MhtrainError("internal error: a sandboxed kernel was started without a sandbox")
        return self.sandbox.wrap(cmd, sockets=self._sockets)

    def _kernel_pid(self) -> int | None:
        """The kernel's own process id, two levels below ``bwrap`` (its first process)."""
        pid = getattr(self.provisioner, "pid", None)
        for _ in range(2):
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                return None
            if not children:
                return None
            pid = int(children[0])
        return pid

    async def interrupt_kernel(self) -> None:  # type: ignore[override]
        """Interrupt the kernel itself.

        jupyter_client signals the whole process group, which would also reach the sandbox's
        first process and end the sandbox; here only the kernel gets the signal.
        """
        pid = self._kernel_pid()
        if pid is None or self.kernel_spec is None or self.kernel_spec.interrupt_mode != "signal":
            await super().interrupt_kernel()
            return
        try:
            os.kill(pid, signal.SIGINT)
        except OSError:
            await super().interrupt_kernel()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        pgid = getattr(self.provisioner, "pgid", None)
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            if pgid:
                kill_group(pgid)  # anything left of the sandbox's process group ends now
            shutil.rmtree(self._sockets, ignore_errors=True)


def damaged_data(folder: Path) -> str | None:
    """Check a dataset folder against the sha256 values in its ``manifest.json``.

    Parameters
    ----------
    folder : Path
        The course's copy of the dataset.

    Returns
    -------
    str or None
        What is wrong, in a few words, or None when every file matches.
    """
    import json

    manifest = folder / "manifest.json"
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return "its manifest.json is missing or damaged"
    if not isinstance(listed, dict) or not listed:
        return "its manifest.json lists no files"
    for name, info in sorted(listed.items()):
        expected = info.get("sha256") if isinstance(info, dict) else info
        path = folder / name
        if not path.is_file():
            return f"{name} is missing"
        if files.sha256_file(path) != expected:
            return f"{name} has changed"
    return None


def kill_group(pid: int) -> None:
    """End a process group if any of it is left (used after a kernel stops)."""
    try:
        os.killpg(pid, 9)
    except (ProcessLookupError, PermissionError, OSError):
        pass
