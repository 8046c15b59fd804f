"""Runs one untrusted Python program (a model's code plus a task's tests) in a sandboxed subprocess.

streameval's code_eval metric (TypeScript) and its `evaluate` shim for lm-eval's Python hooks both run
programs through this one launcher, so both get the same isolation.

    python3 launch.py            request JSON on stdin, verdict JSON (one line) on stdout
    python3 launch.py --probe    runs `pass` and prints the verdict: what isolation is in force here

Request: {"program": str, "timeout_s": 3.0, "memory_mb": 1024, "max_procs": 64,
          "max_output_bytes": 1048576, "max_file_bytes": 16777216, "disk_mb": 64}
Verdict: {"passed": bool, "result": "passed" | "failed: <exception>" | "timed out",
          "detail": str, "isolation": {...}, "wall_ms": int}

`result` is what HF evaluate's code_eval (openai/human-eval's execution.py) records: the program is
exec'd with empty globals under the same reliability guard, swallowed I/O and a `timeout_s` timer.

Isolation, each part applied where the OS allows it and reported in `isolation`:
- a new session and process group, a PID namespace (the program is its PID 1: when it ends, the kernel
  ends every process it started), and SIGKILL to the group at the end;
- a network namespace with no interface up (no network, loopback included), and an IPC namespace;
  as root directly, otherwise inside a user namespace (like `unshare -rn`);
- a mount namespace: the whole filesystem read-only, a fresh size-limited tmpfs as the working folder,
  a fresh /proc that shows only the sandbox's processes;
- rlimits: CPU seconds, address space, processes, file size, open files, no core dumps;
- root's capabilities dropped (bounding set) and no_new_privs, so the program cannot undo the above;
- a minimal environment (PATH, LANG, HOME and TMPDIR = the working folder): no API keys.
"""

import ctypes
import json
import math
import os
import select
import shutil
import signal
import sys
import tempfile
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
SYS_MOUNT_SETATTR = 442  # the same number on x86_64 and arm64 (the generic syscall table)

DEFAULTS = {
    "timeout_s": 3.0,
    "memory_mb": 1024,
    "max_procs": 64,
    "max_output_bytes": 1 << 20,
    "max_file_bytes": 16 << 20,
    "disk_mb": 64,
}
# Beyond the program's own timer: time for the interpreter to start and the verdict to come back.
STARTUP_GRACE_S = 2.0
VERDICT_MAX_BYTES = 64 << 10

libc = ctypes.CDLL(None, use_errno=True)


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64), ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags):
    check(libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else s.encode()
    check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def prctl(option, arg):
    if not hasattr(libc, "prctl"):
        raise OSError(38, "prctl: not on this system")
    check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)), "prctl")


def isolate_namespaces():
    """New network, PID and IPC namespaces for the supervisor's next child; which ones, and how."""
    wanted = CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC
    try:
        unshare(wanted)
        return {"namespaces": "net,pid,ipc", "user_namespace": False}
    except OSError as e:
        first = str(e)
    try:
        # Not root: a user namespace owns the others (what `unshare -rn` does). Our ids map to themselves, so
        # the files the program writes have an owner, and the program (not uid 0 in there) gets no capability.
        uid, gid = os.getuid(), os.getgid()
        unshare(CLONE_NEWUSER | wanted)
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
        return {"namespaces": "net,pid,ipc", "user_namespace": True}
    except OSError as e:
        return {"namespaces": "", "user_namespace": False, "namespace_error": f"{first}; {e}"}


def isolate_filesystem(workdir, disk_mb):
    """In the child: its own mount namespace, / read-only, a tmpfs working folder, a fresh /proc."""
    done = []
    unshare(CLONE_NEWNS)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    attr = MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    rc = libc.syscall(ctypes.c_long(SYS_MOUNT_SETATTR), ctypes.c_int(AT_FDCWD), b"/", ctypes.c_uint(AT_RECURSIVE), ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)))
    if rc == 0:
        done.append("read-only-root")
    mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={disk_mb}m,mode=0700")
    done.append("tmpfs-workdir")
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY)
        done.append("private-proc")
    except OSError:
        pass
    return done


def drop_privileges():
    """Root keeps uid 0 (the interpreter may live under /root) but loses every capability at exec."""
    dropped = False
    if os.geteuid() == 0:
        last = int(open("/proc/sys/kernel/cap_last_cap").read())
        for cap in range(last + 1):
            prctl(PR_CAPBSET_DROP, cap)
        dropped = True
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    return dropped


def processes_of(uid):
    """How many processes `uid` runs now: RLIMIT_NPROC counts them all, so the limit is this + max_procs."""
    n = 0
    if not os.path.isdir("/proc"):
        return n
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def set_limits(req, nproc_base):
    import resource

    cpu = math.ceil(req["timeout_s"]) + 1
    memory = req["memory_mb"] << 20
    limits = [
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_NPROC, nproc_base + req["max_procs"]),
        (resource.RLIMIT_FSIZE, req["max_file_bytes"]),
        (resource.RLIMIT_NOFILE, 256),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in limits:
        resource.setrlimit(which, (value, value))


# The program runs in this runner, exec'd with `python3 -I -c RUNNER TIMEOUT MAX_OUTPUT` inside the
# sandbox: HF evaluate's unsafe_execute (from openai/human-eval, MIT), whose verdict strings it keeps.
RUNNER = r"""
import builtins, contextlib, errno, faulthandler, io, json, os, signal, sys
timeout, max_output = float(sys.argv[1]), int(sys.argv[2])
_write, _dumps, _exit = os.write, json.dumps, os._exit
src = open("program.py", encoding="utf-8").read()

class TimeoutException(Exception):
    pass

class WriteOnlyStringIO(io.StringIO):
    # stdin as HF evaluate gives it: reading raises.
    def read(self, *a, **k): raise OSError
    def readline(self, *a, **k): raise OSError
    def readlines(self, *a, **k): raise OSError
    def readable(self, *a, **k): return False

class CappedSink(io.StringIO):
    # stdout/stderr are swallowed as in HF evaluate, but only up to max_output characters.
    written = 0
    def write(self, s):
        CappedSink.written += len(s)
        if CappedSink.written > max_output:
            raise OSError(errno.EFBIG, f"output limit exceeded ({max_output} characters)")
        return len(s)

class redirect_stdin(contextlib._RedirectStream):
    _stream = "stdin"

def handler(signum, frame):
    raise TimeoutException("Timed out!")

def reliability_guard():
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    import shutil, subprocess
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None

result = "timed out"
try:
    reliability_guard()
    exec_globals = {}
    sink = CappedSink()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), redirect_stdin(WriteOnlyStringIO()):
        signal.setitimer(signal.ITIMER_REAL, timeout)
        signal.signal(signal.SIGALRM, handler)
        try:
            exec(src, exec_globals)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    result = "passed"
except TimeoutException:
    result = "timed out"
except BaseException as e:
    result = f"failed: {e}"
_write(3, _dumps({"result": result}).encode())
_exit(0)
"""


def minimal_env(workdir):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir, "TMPDIR": workdir, "PYTHONDONTWRITEBYTECODE": "1"}


def child(req, workdir, verdict_fd, nproc_base, report_fd):
    """Between fork and exec: isolate, limit, then become the runner. Reports what it applied on report_fd."""
    applied = {}
    try:
        os.setsid()
        try:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:
            pass
        try:
            applied["filesystem"] = isolate_filesystem(workdir, req["disk_mb"])
        except OSError as e:
            applied["filesystem"] = []
            applied["filesystem_error"] = str(e)
        with open(os.path.join(workdir, "program.py"), "w", encoding="utf-8") as f:
            f.write(req["program"])
        set_limits(req, nproc_base)
        try:
            applied["capabilities_dropped"] = drop_privileges()
        except OSError as e:
            applied["capabilities_dropped"] = False
            applied["privileges_error"] = str(e)
        os.chdir(workdir)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.dup2(verdict_fd, 3)
        os.write(report_fd, json.dumps(applied).encode())
        os.close(report_fd)
        os.closerange(4, 1 << 16)
        argv = [sys.executable, "-I", "-c", RUNNER, repr(req["timeout_s"]), str(req["max_output_bytes"])]
        os.execve(sys.executable, argv, minimal_env(workdir))
    except BaseException as e:  # noqa: BLE001 — anything here means the sandbox could not start
        applied["setup_error"] = f"{type(e).__name__}: {e}"
        try:
            os.write(report_fd, json.dumps(applied).encode())
        finally:
            os._exit(127)


def read_available(fd, limit):
    chunks, size = [], 0
    while size < limit:
        ready, _, _ = select.select([fd], [], [], 0)
        if not ready:
            break
        chunk = os.read(fd, min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def run(req):
    started = time.monotonic()
    isolation = isolate_namespaces()
    nproc_base = processes_of(os.getuid())
    workdir = tempfile.mkdtemp(prefix="streameval-code-")
    verdict_r, verdict_w = os.pipe()
    report_r, report_w = os.pipe()
    os.set_blocking(verdict_r, False)
    try:
        pid = os.fork()
        if pid == 0:
            os.close(verdict_r)
            os.close(report_r)
            child(req, workdir, verdict_w, nproc_base, report_w)
        os.close(verdict_w)
        os.close(report_w)
        deadline = started + req["timeout_s"] + STARTUP_GRACE_S
        verdict, status, timed_out = b"", None, False
        while status is None:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            # The program's own children may hold the verdict pipe open: wait on the child, not on EOF.
            select.select([verdict_r], [], [], min(left, 0.02))
            verdict += read_available(verdict_r, VERDICT_MAX_BYTES - len(verdict))
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
        # The whole group, then PID 1 (which takes down every process of its namespace).
        for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                kill()
            except OSError:
                pass
        if status is None:
            _, status = os.waitpid(pid, 0)
        verdict += read_available(verdict_r, VERDICT_MAX_BYTES - len(verdict))
        applied = json.loads(read_available(report_r, VERDICT_MAX_BYTES) or b"{}")
    finally:
        os.close(verdict_r)
        os.close(report_r)
        shutil.rmtree(workdir, ignore_errors=True)
    isolation.update(applied, python=sys.executable)
    result, detail = judge(verdict, status, timed_out, req)
    return {"passed": result == "passed", "result": result, "detail": detail, "isolation": isolation, "wall_ms": round((time.monotonic() - started) * 1000)}


def judge(verdict, status, timed_out, req):
    """HF's verdict string when the program reported one; else "timed out", as HF records a silent end."""
    if timed_out:
        return "timed out", f"killed after the wall-clock limit ({req['timeout_s']} s + {STARTUP_GRACE_S} s start-up)"
    try:
        return json.loads(verdict.decode("utf-8"))["result"], ""
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        pass
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        why = "the CPU-time limit" if sig in (signal.SIGXCPU, signal.SIGKILL) else signal.Signals(sig).name
        return "timed out", f"ended by {why} without a verdict"
    return "timed out", f"exited with code {os.WEXITSTATUS(status)} without a verdict"


def main():
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # if the caller dies, so does this supervisor (and its sandbox)
    except OSError:
        pass
    if sys.argv[1:] == ["--probe"]:
        req = {"program": "pass"}
    else:
        req = json.loads(sys.stdin.read())
    req = {**DEFAULTS, **{k: v for k, v in req.items() if v is not None}}
    sys.stdout.write(json.dumps(run(req)) + "\n")


if __name__ == "__main__":
    main()
