"""The freeze benchmark. Run it through bench/run; see that file for usage.

Every figure is a median over repeated runs, written beside its baselines from the same
run, with the exact command line that produced it. Tools the benchmark needs are installed
(hyperfine, GNU time, patchelf from Debian when running as root; PyInstaller, Nuitka and
pygments from PyPI into a throwaway venv) or the measurement is skipped with the reason.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "bench" / "programs"
HELLO = ROOT / "examples" / "hello" / "hello.py"
CACHE = Path(os.environ.get("FREEZE_BENCH_CACHE", Path.home() / ".cache" / "freeze-bench"))
RUSTPYTHON_VERSION = "0.6.0"
# The plain interpreter is built with the features the runtime stub has (stdio, threading,
# host_env, mimalloc) and the standard library frozen in, as the stub's payload carries it.
RUSTPYTHON_FEATURES = "threading,stdlib,stdio,importlib,host_env,mimalloc,freeze-stdlib"
MB = 1_000_000

# Compute kernels: file, argument for --quick (full runs use each program's default).
COMPUTE = [
    ("nbody.py", "5000"),
    ("richards.py", "1"),
    ("fannkuch.py", "7"),
    ("spectral_norm.py", "40"),
    ("json_dumps_loads.py", "1"),
    ("regex.py", "1"),
]

NOTES_BEGIN = "<!-- notes: kept across runs of bench/run -->"
NOTES_END = "<!-- end of notes -->"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Skip(Exception):
    """A measurement or peer that cannot be had here; the message says why."""


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.python = args.python
        self.work = Path(args.work).resolve() if args.work else Path(
            tempfile.mkdtemp(prefix="freeze-bench-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.out = self.work / "out"
        self.out.mkdir(exist_ok=True)
        self.target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")).resolve()
        self.freeze = self.target / "release" / "freeze"
        # Outputs are made with the stub as shipped (the `dist` profile); the `release`
        # stub (what `./freeze` and the tests use) is measured beside it for compute.
        self.stub_profile: str = args.stub_profile
        self.stub = self.target / self.stub_profile / "runtime-stub"
        self.release_stub = self.target / "release" / "runtime-stub"
        self.venv = self.work / "venv"
        self.vpy = self.venv / "bin" / "python"
        self.site = ""
        self.rustpython: Path | None = None
        self.skips: dict[str, str] = {}      # what -> why
        self.versions: dict[str, str] = {}
        self.peers: list[str] = []           # "pyinstaller", "nuitka"
        self.results: dict = {}              # section -> data
        self.apt_updated = False
        self.load: list[tuple[str, str]] = []  # (moment, /proc/loadavg) to show how busy the machine was
        # Placeholders used in the report so command lines stay readable and exact.
        self.subst = []

    # ---------------------------------------------------------------- helpers

    def run(self, cmd, check=True, capture=False, env=None, timeout=None, cwd=None):
        log("$ " + " ".join(shlex.quote(str(c)) for c in cmd))
        # Own process group, so a timeout ends the whole tree (hyperfine and its builds).
        p = subprocess.Popen([str(c) for c in cmd], text=True, env=env, cwd=cwd,
                             start_new_session=True,
                             stdout=subprocess.PIPE if capture else None,
                             stderr=subprocess.STDOUT if capture else None)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            raise
        if check and p.returncode != 0:
            raise subprocess.CalledProcessError(p.returncode, cmd, out)
        return subprocess.CompletedProcess(cmd, p.returncode, out)

    def show(self, cmd) -> str:
        """A command line as the report prints it, with the run's paths abbreviated."""
        text = " ".join(shlex.quote(str(c)) for c in cmd) if not isinstance(cmd, str) else cmd
        for path, name in self.subst:
            text = text.replace(path, name)
        return text

    def apt_install(self, package: str, why: str) -> None:
        if os.geteuid() != 0:
            raise Skip(f"`{package}` is missing and this run is not root, so it cannot "
                       f"`apt-get install {package}` ({why})")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if not self.apt_updated:
            self.run(["apt-get", "update", "-qq"], env=env)
            self.apt_updated = True
        r = self.run(["apt-get", "install", "-y", "-qq", package], check=False, env=env)
        if r.returncode != 0:
            raise Skip(f"`apt-get install {package}` failed with exit {r.returncode} ({why})")

    def hyperfine(self, name: str, commands: list[list[str]], runs: int, warmup: int = 0,
                  prepare: list[str] | None = None, timeout: float | None = None) -> list[dict]:
        """Runs hyperfine without a shell; returns one dict per command with median etc."""
        js = self.work / f"hyperfine-{name}.json"
        cmd = ["hyperfine", "-N", "--style", "basic", "--runs", str(runs),
               "--warmup", str(warmup), "--export-json", str(js)]
        if prepare:
            for p in prepare:
                cmd += ["--prepare", p]
        for c in commands:
            cmd.append(" ".join(shlex.quote(str(x)) for x in c))
        self.run(cmd, timeout=timeout)
        data = json.loads(js.read_text())
        out = []
        for c, r in zip(commands, data["results"]):
            out.append({"command": c, "median": r["median"], "mean": r["mean"],
                        "stddev": r.get("stddev"), "min": r["min"], "max": r["max"],
                        "runs": len(r["times"]), "prepare": prepare})
        return out

    def note_load(self, moment: str) -> None:
        try:
            self.load.append((moment, " ".join(Path("/proc/loadavg").read_text().split()[:3])))
        except OSError:
            pass

    # ---------------------------------------------------------------- setup

    def machine(self) -> dict:
        cpu = "unknown"
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        mem = ""
        try:
            kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
        except (OSError, TypeError):
            pass
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                text=True, capture_output=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--",
                                "freezer", "runtime-stub", "payload", "Cargo.toml", "Cargo.lock"],
                               text=True, capture_output=True).stdout.strip()
        return {
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": mem,
            "kernel": platform.release(),
            "os": self.os_name(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit + (" (with uncommitted changes)" if dirty else ""),
            "python": subprocess.run([self.python, "-c", "import sys; print(sys.version.split()[0])"],
                                     text=True, capture_output=True).stdout.strip(),
        }

    @staticmethod
    def os_name() -> str:
        try:
            for line in Path("/etc/os-release").read_text().splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip('"')
        except OSError:
            pass
        return platform.system()

    def tools(self) -> None:
        if not shutil.which("hyperfine"):
            try:
                self.apt_install("hyperfine", "every timing here runs under hyperfine")
            except Skip as e:
                sys.exit(f"bench: cannot run without hyperfine: {e}")
        if not Path("/usr/bin/time").exists():
            try:
                self.apt_install("time", "peak RSS is measured with /usr/bin/time -f %M")
            except Skip as e:
                self.skips["peak RSS"] = str(e)
        self.versions["hyperfine"] = subprocess.run(
            ["hyperfine", "--version"], text=True, capture_output=True).stdout.split()[-1]

    def build(self) -> None:
        log("building the release freezer and runtime stub")
        t = time.monotonic()
        self.run(["cargo", "build", "--release", "--ignore-rust-version", "--manifest-path",
                  ROOT / "Cargo.toml", "-p", "freezer", "-p", "runtime-stub"])
        if self.stub_profile != "release":
            log(f"building the runtime stub with the {self.stub_profile} profile (whole-program "
                "LTO: the first build takes a long while)")
            self.run(["cargo", "build", "--profile", self.stub_profile, "--ignore-rust-version",
                      "--manifest-path", ROOT / "Cargo.toml", "-p", "runtime-stub"])
        log(f"build done in {time.monotonic() - t:.0f} s")
        for f in (self.freeze, self.stub, self.release_stub):
            if not f.exists():
                sys.exit(f"bench: {f} was not built")
        self.versions["freeze"] = subprocess.run(
            [self.freeze, "--version"], text=True, capture_output=True).stdout.strip()

    def setup_venv(self) -> None:
        log("creating the venv")
        self.run([self.python, "-m", "venv", self.venv])
        pip = [self.vpy, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        self.run(pip + ["pygments"])
        self.site = subprocess.run(
            [self.vpy, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True, capture_output=True, check=True).stdout.strip()
        self.versions["pygments"] = self.pkg_version("pygments")
        if self.quick or self.args.no_peers:
            why = "--quick" if self.quick else "--no-peers"
            self.skips["PyInstaller"] = self.skips["Nuitka"] = f"not run with {why}"
            return
        r = self.run(pip + ["pyinstaller"], check=False)
        if r.returncode == 0:
            self.peers.append("pyinstaller")
            self.versions["PyInstaller"] = self.pkg_version("pyinstaller")
        else:
            self.skips["PyInstaller"] = f"`pip install pyinstaller` failed (exit {r.returncode})"
        # zstandard lets Nuitka compress its onefile payload, as its docs advise.
        r = self.run(pip + ["nuitka", "zstandard"], check=False)
        if r.returncode != 0:
            self.skips["Nuitka"] = f"`pip install nuitka zstandard` failed (exit {r.returncode})"
        elif not shutil.which("gcc"):
            self.skips["Nuitka"] = "no gcc on PATH (Nuitka compiles C)"
        else:
            try:
                if not shutil.which("patchelf"):
                    self.apt_install("patchelf", "Nuitka --onefile needs patchelf on Linux")
                if not shutil.which("ccache"):
                    # Nuitka's own advice for rebuilds; without it warm builds recompile all C.
                    try:
                        self.apt_install("ccache", "Nuitka uses it for warm rebuilds")
                    except Skip as e:
                        self.skips["ccache for Nuitka"] = str(e) + "; Nuitka runs without it"
                self.peers.append("nuitka")
                self.versions["Nuitka"] = self.pkg_version("nuitka")
            except Skip as e:
                self.skips["Nuitka"] = str(e)

    def pkg_version(self, name: str) -> str:
        return subprocess.run([self.vpy, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                              text=True, capture_output=True).stdout.strip()

    def setup_rustpython(self) -> None:
        """The plain RustPython interpreter, `cargo install`ed once under the cache dir."""
        root = CACHE / f"rustpython-{RUSTPYTHON_VERSION}"
        exe = root / "bin" / "rustpython"
        if not exe.exists():
            log("installing the rustpython binary (a ~10 minute build on 2 cores, once)")
            CACHE.mkdir(parents=True, exist_ok=True)
            env = dict(os.environ, CARGO_TARGET_DIR=str(CACHE / "rustpython-target"))
            r = self.run(["cargo", "install", "rustpython", "--version", RUSTPYTHON_VERSION,
                          "--ignore-rust-version", "--locked", "--root", root,
                          "--no-default-features", "--features", RUSTPYTHON_FEATURES],
                         check=False, env=env)
            if r.returncode != 0 or not exe.exists():
                self.skips["plain RustPython"] = (
                    f"`cargo install rustpython --version {RUSTPYTHON_VERSION}` failed "
                    f"(exit {r.returncode})")
                return
        self.rustpython = exe
        self.versions["RustPython"] = (
            f"{RUSTPYTHON_VERSION} (cargo install, features {RUSTPYTHON_FEATURES})")

    # ---------------------------------------------------------------- programs

    def make_programs(self) -> None:
        # hello: the example as is.
        self.hello = HELLO
        # pygments entry for the peers (as `python -m pygments` does: pygments/__main__.py).
        pyg = self.work / "pygmentize"
        pyg.mkdir(exist_ok=True)
        self.pyg_entry = pyg / "pygmentize.py"
        self.pyg_entry.write_text(
            "import sys\nfrom pygments.cmdline import main\nsys.exit(main(sys.argv))\n")
        # 500 bundled modules, 3 imported.
        big = self.work / "big500"
        big.mkdir(exist_ok=True)
        for i in range(500):
            (big / f"mod_{i:03d}.py").write_text(module_source(i))
        never = "\n".join(f"    import mod_{i:03d}" for i in range(3, 500))
        (big / "main.py").write_text(
            '"""Bundles 500 modules, imports 3 at start."""\n'
            "import mod_000\nimport mod_001\nimport mod_002\n\n\n"
            "def never_called():\n" + never + "\n\n\n"
            "print(mod_000.describe(), mod_001.describe(), mod_002.describe())\n")
        self.big = big / "main.py"
        # The paths a report reader needs to replay a command.
        self.subst = [
            (str(self.venv), "$VENV"),
            (str(self.work), "$W"),
            (str(self.target), "$TARGET"),
            (str(ROOT) + "/", ""),
            (str(ROOT), "."),
            (self.python, "$PY"),
        ]
        if self.rustpython:
            self.subst.insert(0, (str(self.rustpython), "$RUSTPYTHON"))

    def freeze_cmd(self, *args, cache: Path, stub: Path | None = None) -> list[str]:
        return ["env", f"FREEZE_CACHE_DIR={cache}", str(self.freeze), "--stub",
                str(stub or self.stub), "-q", *map(str, args)]

    def pyinstaller_cmd(self, entry: Path, name: str, tag: str) -> tuple[list[str], list[str]]:
        base = self.work / "pyinstaller" / tag
        cmd = ["env", f"PYINSTALLER_CONFIG_DIR={base}/config", str(self.venv / "bin" / "pyinstaller"),
               "--onefile", "--noconfirm", "--log-level", "WARN", "--distpath", f"{base}/dist",
               "--workpath", f"{base}/build", "--specpath", f"{base}", "-n", name, str(entry)]
        return cmd, [str(base)]

    def nuitka_cmd(self, entry: Path, name: str, tag: str) -> tuple[list[str], list[str]]:
        base = self.work / "nuitka" / tag
        cmd = ["env", f"NUITKA_CACHE_DIR={base}/cache", f"CCACHE_DIR={base}/cache/ccache",
               str(self.vpy), "-m", "nuitka",
               "--onefile", "--assume-yes-for-downloads", "--quiet",
               f"--output-dir={base}/build", f"--output-filename={name}", str(entry)]
        return cmd, [str(base)]

    # ---------------------------------------------------------------- measurements

    def measure_freeze_time(self) -> None:
        """Cold (empty cache) and warm (cache filled by a warmup run) freeze times."""
        log("freeze time")
        q = self.quick
        rows = []
        progs = [
            ("hello world", [self.hello], "hello", 3 if q else 10),
            ("pygments (`python -m pygments`)", ["-m", "pygments", "--path", self.site], "pygments",
             2 if q else 5),
            ("500-module program", [self.big], "big500", 2 if q else 5),
        ]
        self.outputs = {}
        for label, args, name, runs in progs:
            out = self.out / f"freeze-{name}"
            cache = self.work / "cache" / name
            cmd = self.freeze_cmd(*args, "-o", out, cache=cache)
            # One plain run first: it must succeed, and its message is recorded if not.
            r = self.run(cmd, check=False, capture=True)
            if r.returncode != 0:
                rows.append({"program": label, "tool": "freeze", "error": r.stdout.strip()[-2000:],
                             "command": cmd})
                continue
            self.outputs[("freeze", name)] = out
            cold, warm = self.cold_warm(f"freeze-{name}", cmd, [str(cache)], out, runs)
            rows.append({"program": label, "tool": "freeze", "cold": cold, "warm": warm})
            for peer in self.peers:
                if name == "big500":
                    continue
                entry = self.hello if name == "hello" else self.pyg_entry
                rows.append(self.peer_build(peer, label, entry, name))
        self.results["freeze"] = rows

    def cold_warm(self, name: str, cmd: list[str], dirs: list[str], output: Path, runs: int,
                  timeout: float | None = None) -> tuple[dict, dict]:
        """Cold: every run starts from empty cache and work directories. Warm: the same
        command again, on the caches the last cold run left, with the output removed first
        (PyInstaller skips the whole build when its output is up to date)."""
        cold = self.hyperfine(f"{name}-cold", [cmd], runs=runs,
                              prepare=[f"rm -rf {d}" for d in dirs], timeout=timeout)[0]
        warm = self.hyperfine(f"{name}-warm", [cmd], runs=runs, prepare=[f"rm -f {output}"],
                              timeout=timeout)[0]
        return cold, warm

    def peer_build(self, peer: str, label: str, entry: Path, name: str) -> dict:
        make = self.pyinstaller_cmd if peer == "pyinstaller" else self.nuitka_cmd
        tool = "PyInstaller --onefile" if peer == "pyinstaller" else "Nuitka --onefile"
        # PyInstaller builds take ~20 s, Nuitka's minutes: fewer repetitions.
        runs = 3 if peer == "pyinstaller" else 1
        limit = self.args.peer_timeout * 60
        cmd, dirs = make(entry, name, name)
        out_dir = self.work / peer / name / ("dist" if peer == "pyinstaller" else "build")
        try:
            cold, warm = self.cold_warm(f"{peer}-{name}", cmd, dirs, out_dir / name, runs,
                                        timeout=limit * runs)
        except subprocess.CalledProcessError as e:
            # hyperfine hides the build's output: run it once more to record why it failed.
            try:
                why = (self.run(cmd, check=False, capture=True, timeout=limit).stdout or "").strip()
            except subprocess.TimeoutExpired:
                why = "(the rerun to capture its output timed out)"
            return {"program": label, "tool": tool, "command": cmd,
                    "error": f"hyperfine exit {e.returncode}: " + why[-1500:]}
        except subprocess.TimeoutExpired:
            return {"program": label, "tool": tool, "command": cmd,
                    "error": f"a build did not finish within {limit / 60:.0f} minutes (--peer-timeout); stopped"}
        self.outputs[(peer, name)] = out_dir / name
        return {"program": label, "tool": tool, "cold": cold, "warm": warm}

    def check_outputs(self) -> None:
        """Each output must print what CPython prints, or its timings mean nothing."""
        self.broken = {}
        sample = PROGRAMS / "fannkuch.py"
        checks = {
            "hello": ([], [self.python, "-I", "-S", self.hello]),
            "pygments": (["-l", "python", "-f", "html", sample],
                         [self.vpy, "-I", "-m", "pygments", "-l", "python", "-f", "html", sample]),
            "big500": ([], [self.python, "-E", "-s", "-S", self.big]),
        }
        for (tool, name), exe in self.outputs.items():
            args, ref = checks[name]
            want = subprocess.run(list(map(str, ref)), text=True, capture_output=True).stdout
            got = subprocess.run([str(exe), *map(str, args)], text=True, capture_output=True)
            if got.returncode != 0 or got.stdout != want:
                self.broken[(tool, name)] = (
                    f"exit {got.returncode}, output differs from CPython's: "
                    + (got.stderr or got.stdout).strip()[-300:])
                log(f"output check failed: {tool} {name}: {self.broken[(tool, name)]}")

    def measure_size(self) -> None:
        rows = []
        for (tool, name), exe in self.outputs.items():
            if exe.exists():
                rows.append({"tool": tool, "program": name, "bytes": exe.stat().st_size})
        rows.append({"tool": "freeze", "program": "(runtime stub alone)", "bytes": self.stub.stat().st_size})
        self.results["size"] = rows

    def measure_start(self) -> None:
        log("start time")
        q = self.quick
        cmds = [("freeze", "hello world", [self.outputs[("freeze", "hello")]])]
        if ("freeze", "big500") in self.outputs:
            cmds.append(("freeze", "500-module program (imports 3)", [self.outputs[("freeze", "big500")]]))
        cmds += [
            ("CPython -I -S", "hello world", [self.python, "-I", "-S", self.hello]),
            # -I would also drop the script's directory from sys.path (-I = -E -P -s).
            ("CPython -E -s -S", "500-module program (imports 3)", [self.python, "-E", "-s", "-S", self.big]),
        ]
        if self.rustpython:
            cmds.append(("plain RustPython -I -S", "hello world", [self.rustpython, "-I", "-S", self.hello]))
        for peer, tool in (("pyinstaller", "PyInstaller --onefile"), ("nuitka", "Nuitka --onefile")):
            if (peer, "hello") in self.outputs and (peer, "hello") not in self.broken:
                cmds.append((tool, "hello world", [self.outputs[(peer, "hello")]]))
        res = self.hyperfine("start", [c for _, _, c in cmds], runs=5 if q else 40,
                             warmup=1 if q else 5)
        rows = [{"tool": t, "program": p, **r} for (t, p, _), r in zip(cmds, res)]
        # A real program's start plus a small job: pygments highlighting one file.
        sample = PROGRAMS / "fannkuch.py"
        args = ["-l", "python", "-f", "html", str(sample)]
        pcmds = []
        if ("freeze", "pygments") in self.outputs:
            pcmds.append(("freeze", [self.outputs[("freeze", "pygments")], *args]))
        pcmds.append(("CPython -I (venv)", [self.vpy, "-I", "-m", "pygments", *args]))
        for peer, tool in (("pyinstaller", "PyInstaller --onefile"), ("nuitka", "Nuitka --onefile")):
            if (peer, "pygments") in self.outputs and (peer, "pygments") not in self.broken:
                pcmds.append((tool, [self.outputs[(peer, "pygments")], *args]))
        res = self.hyperfine("pygments-run", [c for _, c in pcmds], runs=3 if q else 20,
                             warmup=1 if q else 3)
        rows += [{"tool": t, "program": "pygments: highlight a 60-line file to HTML", **r}
                 for (t, _), r in zip(pcmds, res)]
        self.results["start"] = rows

    def measure_rss(self) -> None:
        if "peak RSS" in self.skips:
            return
        log("peak RSS")
        n = 3 if self.quick else 15
        cmds = [("freeze", [self.outputs[("freeze", "hello")]]),
                ("CPython -I -S", [self.python, "-I", "-S", self.hello])]
        if self.rustpython:
            cmds.append(("plain RustPython -I -S", [self.rustpython, "-I", "-S", self.hello]))
        for peer, tool in (("pyinstaller", "PyInstaller --onefile"), ("nuitka", "Nuitka --onefile")):
            if (peer, "hello") in self.outputs and (peer, "hello") not in self.broken:
                cmds.append((tool, [self.outputs[(peer, "hello")]]))
        rows = []
        for tool, cmd in cmds:
            full = ["/usr/bin/time", "-f", "%M", *map(str, cmd)]
            kbs = []
            for _ in range(n):
                r = subprocess.run(full, text=True, capture_output=True)
                kbs.append(int(r.stderr.strip().splitlines()[-1]))
            rows.append({"tool": tool, "command": full, "median_kb": statistics.median(kbs),
                         "min_kb": min(kbs), "max_kb": max(kbs), "runs": n})
        self.results["rss"] = rows

    def measure_instructions(self) -> None:
        """Instructions executed (callgrind): deterministic where wall times are noisy."""
        if not shutil.which("valgrind"):
            try:
                self.apt_install("valgrind", "instruction counts come from callgrind")
            except Skip as e:
                self.skips["instruction counts"] = str(e)
                return
        log("instruction counts")
        sample = PROGRAMS / "fannkuch.py"
        args = ["-l", "python", "-f", "html", sample]
        cmds = [("freeze", "hello world", [self.outputs[("freeze", "hello")]]),
                ("CPython -I -S", "hello world", [self.python, "-I", "-S", self.hello])]
        if self.rustpython:
            cmds.append(("plain RustPython -I -S", "hello world",
                         [self.rustpython, "-I", "-S", self.hello]))
        if ("freeze", "pygments") in self.outputs:
            cmds.append(("freeze", "pygments", [self.outputs[("freeze", "pygments")], *args]))
            cmds.append(("CPython -I (venv)", "pygments", [self.vpy, "-I", "-m", "pygments", *args]))
        rows = []
        for tool, prog, cmd in cmds:
            full = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *map(str, cmd)]
            r = subprocess.run(full, text=True, capture_output=True)
            m = re.search(r"Collected : (\d+)", r.stderr)
            if r.returncode != 0 or not m:
                rows.append({"tool": tool, "program": prog, "command": full,
                             "error": (r.stderr or "")[-300:]})
                continue
            rows.append({"tool": tool, "program": prog, "command": full,
                         "instructions": int(m[1])})
        self.results["instructions"] = rows

    def measure_compute(self) -> None:
        log("compute")
        rows = []
        for prog, quick_arg in COMPUTE:
            src = PROGRAMS / prog
            name = src.stem
            extra = [quick_arg] if self.quick else []
            exe = self.out / f"compute-{name}"
            exe_release = self.out / f"compute-{name}-release"
            cache = self.work / "cache" / "compute"
            r = self.run(self.freeze_cmd(src, "-o", exe, cache=cache), check=False, capture=True)
            if r.returncode == 0 and self.stub_profile != "release":
                r = self.run(self.freeze_cmd(src, "-o", exe_release, cache=cache,
                                             stub=self.release_stub), check=False, capture=True)
            if r.returncode != 0:
                rows.append({"program": name, "error": r.stdout.strip()[-1000:]})
                continue
            cmds = [("freeze", [exe, *extra])]
            if self.stub_profile != "release":
                cmds.append(("freeze (release stub)", [exe_release, *extra]))
            cmds += [("CPython -I -S", [self.python, "-I", "-S", src, *extra])]
            if self.rustpython:
                cmds.append(("plain RustPython -I -S", [self.rustpython, "-I", "-S", src, *extra]))
            outs = {}
            for tool, c in cmds:
                p = subprocess.run(list(map(str, c)), text=True, capture_output=True)
                outs[tool] = (p.returncode, p.stdout)
            agree = len(set(outs.values())) == 1 and outs["CPython -I -S"][0] == 0
            res = self.hyperfine(f"compute-{name}", [c for _, c in cmds],
                                 runs=2 if self.quick else 5, warmup=0 if self.quick else 1)
            rows.append({"program": name, "args": extra, "agree": agree, "outputs": outs,
                         "results": [{"tool": t, **x} for (t, _), x in zip(cmds, res)]})
        self.results["compute"] = rows


def module_source(i: int) -> str:
    """A small module of the kind a real package has: constants, a class, functions."""
    return f'''"""Generated module {i}: part of a program that bundles 500 modules."""

TABLE_{i} = {{"name": "mod_{i:03d}", "index": {i}, "tags": ["alpha", "beta", "gamma"]}}


class Widget{i}:
    """A small class with a few methods."""

    def __init__(self, size={i}):
        self.size = size
        self.items = list(range(size % 17))

    def area(self):
        return self.size * self.size

    def total(self):
        return sum(self.items) + self.area()

    def __repr__(self):
        return f"Widget{i}(size={{self.size}})"


def helper_{i}(values):
    """Sum of squares of the even values."""
    return sum(v * v for v in values if v % 2 == 0)


def describe():
    return f"mod_{i:03d}:{{helper_{i}(range({i % 50 + 5}))}}"
'''


# -------------------------------------------------------------------- report

def ms(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 10 else f"{s:.1f} s"


def secs(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def mb(b: float) -> str:
    return f"{b / MB:.1f} MB"


def code(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×"


def write_report(b: Bench, path: Path, started: float) -> None:
    m = b.results["machine"]
    L: list[str] = []
    add = L.append
    add("# Benchmarks")
    add("")
    add("Generated by `bench/run" + (" --quick" if b.quick else "") + "` — do not edit by hand "
        "except between the notes markers. Every figure is the **median** of repeated runs "
        "(hyperfine `-N`, no shell; peak RSS with GNU `/usr/bin/time -f %M`), and every figure "
        "stands beside its baselines **from the same run**: machines are noisy, ratios hold.")
    if b.quick:
        add("")
        add("**This is a `--quick` smoke run: few repetitions, smaller compute inputs, no peers. "
            "Its numbers are not the benchmark.**")
    add("")
    add("## Machine")
    add("")
    add(f"- {m['nproc']} cores (`nproc`), {m['cpu']}, {m['memory']} memory; {m['os']}, Linux {m['kernel']}")
    add(f"- date: {m['date']}; whole run took {(time.monotonic() - started) / 60:.1f} min")
    add(f"- freeze commit {m['commit']}: `{b.versions.get('freeze', '?')}`; the freezer built "
        f"with the release profile, every output made with the runtime stub of the "
        f"`{b.stub_profile}` profile" + (" (as shipped)" if b.stub_profile == "dist" else ""))
    add(f"- CPython {m['python']} (`$PY`, the interpreter itself, not a pyenv shim)")
    for k in ("RustPython", "PyInstaller", "Nuitka", "pygments", "hyperfine"):
        if k in b.versions:
            add(f"- {k} {b.versions[k]}")
    for k, why in b.skips.items():
        add(f"- **{k} skipped**: {why}")
    if b.load:
        add("- load average (1, 5, 15 min) " + "; ".join(f"{m}: {l}" for m, l in b.load)
            + " (the benchmark runs one thing at a time, so well above 1 means other work "
            "shared the machine)")
    add("")
    add("Paths in the command lines: `$PY` = CPython, `$VENV` = the run's throwaway venv "
        "(pygments, PyInstaller, Nuitka), `$W` = the run's work directory (outputs in `$W/out`, "
        "the generated 500-module program in `$W/big500`), `$TARGET` = cargo's target directory, "
        "`$RUSTPYTHON` = the plain `rustpython` binary; other paths are relative to the repository.")
    add("")

    # --- freeze time
    add("## Freeze time")
    add("")
    add("Cold: every run starts from empty cache and work directories (hyperfine `--prepare "
        "'rm -rf …'`; for the peers their work, spec, config, build and cache directories). Warm: "
        "the same command again, on what the last cold run left (freeze's module cache; "
        "PyInstaller's work and config directories; Nuitka's build directory and cache), with "
        "the output file removed first so every tool writes it anew (PyInstaller skips the "
        "whole build when its output is up to date). "
        "`freeze` is timed as the built binary with `--stub`; `./freeze` adds a cargo no-op check.")
    add("")
    add("| program | tool | cold | warm | runs (cold+warm) | command |")
    add("| --- | --- | ---: | ---: | ---: | --- |")
    for r in b.results.get("freeze", []):
        if "error" in r:
            msg = r["error"].replace("\n", " ⏎ ").replace("|", "\\|")
            add(f"| {r['program']} | {r['tool']} | failed | failed | – | {code(b.show(r['command']))}: {msg} |")
        else:
            add(f"| {r['program']} | {r['tool']} | {secs(r['cold']['median'])} | "
                f"{secs(r['warm']['median'])} | {r['cold']['runs']}+{r['warm']['runs']} | "
                f"{code(b.show(r['warm']['command']))}<br>before each cold run: "
                + ", ".join(code(b.show(p)) for p in r["cold"]["prepare"])
                + "; before each warm run: "
                + ", ".join(code(b.show(p)) for p in r["warm"]["prepare"]) + " |")
    add("")

    # --- size
    add("## Output size")
    add("")
    add("| program | tool | size | vs freeze's output |")
    add("| --- | --- | ---: | ---: |")
    sizes = {(r["tool"], r["program"]): r["bytes"] for r in b.results.get("size", [])}
    names = {"freeze": "freeze", "pyinstaller": "PyInstaller --onefile", "nuitka": "Nuitka --onefile"}
    labels = {"hello": "hello world", "pygments": "pygments", "big500": "500-module program"}
    for prog in ("hello", "pygments", "big500", "(runtime stub alone)"):
        for tool in ("freeze", "pyinstaller", "nuitka"):
            n = sizes.get((tool, prog))
            if n is None:
                continue
            base = sizes.get(("freeze", prog))
            rel = ratio(n, base) if base and tool != "freeze" else ""
            add(f"| {labels.get(prog, prog)} | {names[tool]} | {mb(n)} ({n:,} bytes) | {rel} |")
    add("")
    add("Sizes are `stat` of the output file (1 MB = 10⁶ bytes).")
    add("")

    # --- start
    add("## Start time and peak memory")
    add("")
    start = b.results.get("start", [])
    cpy = next((r for r in start if r["tool"] == "CPython -I -S" and r["program"] == "hello world"), None)
    add("| program | tool | median | min | vs CPython -I -S hello | runs | command |")
    add("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for r in start:
        if r["program"].startswith("pygments"):
            continue
        broken = b.broken.get
        add(f"| {r['program']} | {r['tool']} | {ms(r['median'])} | {ms(r['min'])} | "
            f"{ratio(r['median'], cpy['median']) if cpy else ''} | {r['runs']} | {code(b.show(r['command']))} |")
    add("")
    py_rows = [r for r in start if r["program"].startswith("pygments")]
    if py_rows:
        add("A real program, start plus a small job — pygments highlighting "
            "`bench/programs/fannkuch.py` (60 lines) to HTML:")
        add("")
        base = next((r for r in py_rows if r["tool"].startswith("CPython")), None)
        add("| tool | median | min | vs CPython | runs | command |")
        add("| --- | ---: | ---: | ---: | ---: | --- |")
        for r in py_rows:
            add(f"| {r['tool']} | {ms(r['median'])} | {ms(r['min'])} | "
                f"{ratio(r['median'], base['median']) if base else ''} | {r['runs']} | {code(b.show(r['command']))} |")
        add("")
    rss = b.results.get("rss", [])
    if rss:
        add("Peak RSS of hello world (`/usr/bin/time -f %M`, maximum resident set size of the "
            "process and the children it waited for, median of the runs):")
        add("")
        base = next((r for r in rss if r["tool"] == "CPython -I -S"), None)
        add("| tool | peak RSS (median) | min–max | vs CPython | runs | command |")
        add("| --- | ---: | ---: | ---: | ---: | --- |")
        for r in rss:
            add(f"| {r['tool']} | {r['median_kb'] / 1024:.1f} MiB | {r['min_kb'] / 1024:.1f}–{r['max_kb'] / 1024:.1f} | "
                f"{ratio(r['median_kb'], base['median_kb']) if base else ''} | {r['runs']} | {code(b.show(r['command']))} |")
        add("")
    ins = b.results.get("instructions", [])
    if ins:
        add("Instructions executed (`valgrind --tool=callgrind`, one run each: the count does not "
            "depend on the machine's load):")
        add("")
        add("| program | tool | instructions | vs CPython | command |")
        add("| --- | --- | ---: | ---: | --- |")
        for r in ins:
            base = next((x for x in ins if x["program"] == r["program"]
                         and x["tool"].startswith("CPython") and "instructions" in x), None)
            if "error" in r:
                add(f"| {r['program']} | {r['tool']} | failed: {r['error'][-120:]} | | "
                    f"{code(b.show(r['command']))} |")
                continue
            add(f"| {r['program']} | {r['tool']} | {r['instructions'] / 1e6:.2f}M | "
                f"{ratio(r['instructions'], base['instructions']) if base else ''} | "
                f"{code(b.show(r['command']))} |")
        add("")
    if b.broken:
        add("Outputs whose result differed from CPython's (left out of start and RSS):")
        add("")
        for (tool, name), why in b.broken.items():
            add(f"- {tool} {name}: {why}")
        add("")

    # --- compute
    add("## Compute")
    add("")
    add("Short versions of classic pyperformance kernels in `bench/programs/` "
        f"({'quick inputs' if b.quick else 'default inputs'}); each output's stdout was "
        "compared with CPython's first.")
    add("")
    add(f"`freeze` is the output made with the `{b.stub_profile}` stub"
        + ("; `release` the same program frozen with the release stub." if b.stub_profile != "release" else "."))
    add("")
    add("| program | freeze | release | CPython -I -S | plain RustPython -I -S | freeze / CPython | "
        "freeze / RustPython | release / CPython | same output | runs | commands |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | --- |")
    for row in b.results.get("compute", []):
        if "error" in row:
            add(f"| {row['program']} | freeze failed: {row['error'][:300]} | | | | | | | |")
            continue
        t = {r["tool"]: r for r in row["results"]}
        f, c, rp = t["freeze"], t["CPython -I -S"], t.get("plain RustPython -I -S")
        rel = t.get("freeze (release stub)")
        cmds = "<br>".join(code(b.show(r["command"])) for r in row["results"])
        add(f"| {row['program']} | {secs(f['median'])} | {secs(rel['median']) if rel else '–'} | "
            f"{secs(c['median'])} | "
            f"{secs(rp['median']) if rp else 'skipped'} | {ratio(f['median'], c['median'])} | "
            f"{ratio(f['median'], rp['median']) if rp else ''} | "
            f"{ratio(rel['median'], c['median']) if rel else ''} | {'yes' if row['agree'] else '**no**'} | "
            f"{f['runs']} | {cmds} |")
    add("")

    # --- targets
    add("## What the numbers say")
    add("")
    add("Targets, judged on this run's medians (a ratio ≤ 1 meets a target; "
        "“no slower” allows 5% for noise):")
    add("")
    for line in targets(b, sizes):
        add(f"- {line}")
    add("")
    add(NOTES_BEGIN)
    add(b.notes or "")
    add(NOTES_END)
    add("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L))
    (b.work / "results.json").write_text(json.dumps(b.results, default=str, indent=1))


def targets(b: Bench, sizes: dict) -> list[str]:
    out = []

    def verdict(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    start = {(r["tool"], r["program"]): r["median"] for r in b.results.get("start", [])}
    fh = start.get(("freeze", "hello world"))
    ch = start.get(("CPython -I -S", "hello world"))
    fb = start.get(("freeze", "500-module program (imports 3)"))
    if fh and ch:
        out.append(f"Start of hello ≤ CPython `-I -S`: {verdict(fh <= ch)} — {ms(fh)} vs {ms(ch)}, "
                   f"{fh / ch:.2f}× CPython.")
    ins = {(r["tool"], r["program"]): r.get("instructions") for r in b.results.get("instructions", [])}
    fi, ci = ins.get(("freeze", "hello world")), ins.get(("CPython -I -S", "hello world"))
    if fi and ci:
        out.append(f"Instructions of hello ≤ CPython's: {verdict(fi <= ci)} — {fi / 1e6:.2f}M vs "
                   f"{ci / 1e6:.2f}M, {fi / ci:.2f}× CPython.")
    if fh and fb:
        out.append(f"500-module program starts within 10% of hello: {verdict(fb <= 1.10 * fh)} — "
                   f"{ms(fb)} vs {ms(fh)}, {fb / fh:.2f}× hello.")
    py = {r["tool"]: r["median"] for r in b.results.get("start", [])
          if r["program"].startswith("pygments")}
    if "freeze" in py and "CPython -I (venv)" in py:
        f, c = py["freeze"], py["CPython -I (venv)"]
        out.append(f"pygments highlighting a file ≤ CPython: {verdict(f <= c)} — {ms(f)} vs {ms(c)}, "
                   f"{f / c:.2f}× CPython.")
    hs = sizes.get(("freeze", "hello"))
    ps = sizes.get(("pyinstaller", "hello"))
    if hs:
        line = f"Hello output ≤ 14 MB: {verdict(hs <= 14 * MB)} — {mb(hs)}, {hs / (14 * MB):.2f}× the limit"
        if ps:
            line += (f"; ≤ half of PyInstaller's: {verdict(hs <= ps / 2)} — {mb(hs)} vs {mb(ps)}, "
                     f"{hs / ps:.2f}× PyInstaller's (the target is 0.50×).")
        else:
            line += "; PyInstaller's size not measured in this run."
        out.append(line)
    fr = {r["program"]: r for r in b.results.get("freeze", []) if r["tool"] == "freeze"}
    h = fr.get("hello world")
    if h and "error" not in h:
        c, w = h["cold"]["median"], h["warm"]["median"]
        out.append(f"Freeze of hello < 0.3 s: cold {verdict(c < 0.3)} ({secs(c)}, {c / 0.3:.2f}× the limit), "
                   f"warm {verdict(w < 0.3)} ({secs(w)}, {w / 0.3:.2f}×).")
    p = fr.get("pygments (`python -m pygments`)")
    if p and "error" in p:
        out.append(f"pygments < 1 s cold / < 0.3 s warm: **missed** — the freezer failed: {p['error'][:200]}")
    elif p:
        c, w = p["cold"]["median"], p["warm"]["median"]
        out.append(f"Freeze of pygments < 1 s cold: {verdict(c < 1)} ({secs(c)}, {c:.2f}× the limit); "
                   f"< 0.3 s warm: {verdict(w < 0.3)} ({secs(w)}, {w / 0.3:.2f}×).")
    rss = {r["tool"]: r["median_kb"] for r in b.results.get("rss", [])}
    if "freeze" in rss and "CPython -I -S" in rss:
        f, c = rss["freeze"], rss["CPython -I -S"]
        out.append(f"Peak RSS of hello ≤ 12 MiB: {verdict(f <= 12 * 1024)} — {f / 1024:.1f} MiB vs "
                   f"CPython's {c / 1024:.1f} MiB, {f / c:.2f}× CPython.")
    comp = [r for r in b.results.get("compute", []) if "error" not in r]
    if comp and b.rustpython:
        parts, worst = [], 0.0
        for row in comp:
            t = {r["tool"]: r["median"] for r in row["results"]}
            q = t["freeze"] / t["plain RustPython -I -S"]
            worst = max(worst, q)
            parts.append(f"{row['program']} {q:.2f}×")
        out.append(f"Compute no slower than plain RustPython: {verdict(worst <= 1.05)} — "
                   f"freeze / RustPython: {', '.join(parts)}.")
    elif comp:
        out.append("Compute vs plain RustPython: not measured (" +
                   b.skips.get("plain RustPython", "no interpreter") + ").")
    return out


def read_notes(path: Path) -> str:
    try:
        text = path.read_text()
    except OSError:
        return ""
    if NOTES_BEGIN in text and NOTES_END in text:
        return text.split(NOTES_BEGIN, 1)[1].split(NOTES_END, 1)[0].strip("\n")
    return ""


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    ap.add_argument("--quick", action="store_true",
                    help="every measurement once with few repetitions, small inputs, no peers")
    ap.add_argument("--no-peers", action="store_true", help="skip PyInstaller and Nuitka")
    ap.add_argument("--out", help="report path (default docs/benchmarks.md; "
                                  "with --quick, benchmarks-quick.md in the work directory)")
    ap.add_argument("--peer-timeout", type=float, default=35, metavar="MIN",
                    help="give up on a peer build after MIN minutes (default 35)")
    ap.add_argument("--work", help="work directory (default: a new temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--stub-profile", default="dist", metavar="PROFILE",
                    help="cargo profile of the runtime stub the outputs are made with (default "
                         "dist, as shipped; `release` skips its long build)")
    ap.add_argument("--python", default=sys.executable, help=argparse.SUPPRESS)
    args = ap.parse_args()

    started = time.monotonic()
    b = Bench(args)
    out = Path(args.out) if args.out else (
        b.work / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md")
    keep = args.keep or args.work or args.quick
    b.notes = read_notes(ROOT / "docs" / "benchmarks.md")
    log(f"work directory {b.work}")
    b.results["machine"] = b.machine()
    b.tools()
    b.build()
    b.setup_venv()
    b.setup_rustpython()
    b.make_programs()
    b.note_load("before freeze time")
    b.measure_freeze_time()
    b.check_outputs()
    b.measure_size()
    b.note_load("before start time")
    b.measure_start()
    b.measure_rss()
    b.measure_instructions()
    b.note_load("before compute")
    b.measure_compute()
    b.note_load("at the end")
    write_report(b, out, started)
    log(f"wrote {out}")
    if not keep:
        shutil.rmtree(b.work, ignore_errors=True)
    else:
        log(f"kept {b.work}")


if __name__ == "__main__":
    main()
