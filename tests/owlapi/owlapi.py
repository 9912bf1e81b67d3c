"""Run ``OwlApiCheck.java`` (Debian's OWL API, as Protégé uses it) from the tests.

:func:`compile_checker` compiles the program once into a folder; :func:`check` and
:func:`save` run it. If ``javac`` or the OWL API jar is missing, the system packages are
installed with ``apt-get`` (the tests run as root on the project's machines); when that
is impossible, :class:`OwlApiUnavailable` says exactly what to install.

Loader warnings (illegal punning, for one) are not part of the profile report: the OWL
API only logs them, through slf4j-simple, on stderr. :func:`check` collects every
``WARN``/``ERROR`` log line so a test can fail on them.
"""

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "OwlApiCheck.java"
JAVA_DIR = Path("/usr/share/java")
OWLAPI_JAR = JAVA_DIR / "owlapi-distribution.jar"
#: Jars the OWL API needs at run time (Debian names, without version suffix).
SUPPORT_JARS = (
    "guava",
    "caffeine",
    "commons-codec",
    "commons-io",
    "commons-rdf-api",
    "hppcrt",
    "jsr305",
    "slf4j-api",
    "slf4j-simple",
    "atinject-jsr330-api",
    "xz",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "commons-logging",
    "httpclient",
    "httpcore",
)
SYSTEM_PACKAGES = {"javac": "default-jdk-headless", "owlapi": "libowlapi-java"}
LOG_PROBLEM = re.compile(r"^\[[^\]]*\]\s+(WARN|ERROR)\b|^(WARN|ERROR)\b", re.MULTILINE)
RUN_TIMEOUT_SECONDS = 180


class OwlApiUnavailable(RuntimeError):
    """Java or the OWL API is missing and could not be installed."""


@dataclass(frozen=True)
class CheckResult:
    """The checker's JSON summary plus the loader's log problems."""

    summary: dict
    log_problems: tuple[str, ...]
    stderr: str

    @property
    def violations(self) -> list[str]:
        return list(self.summary["violations"])

    @property
    def unresolved_imports(self) -> list[str]:
        return list(self.summary["unresolved_imports"])


def classpath() -> str:
    """The OWL API distribution jar, its support jars and the rdf4j jars."""
    jars = [OWLAPI_JAR, *(JAVA_DIR / f"{name}.jar" for name in SUPPORT_JARS)]
    # rdf4j-*.jar without a version suffix: Debian's stable symlinks.
    jars.extend(
        path
        for path in sorted(JAVA_DIR.glob("rdf4j-*.jar"))
        if not re.search(r"-\d[\w.~+]*\.jar$", path.name)
    )
    return os.pathsep.join(str(jar) for jar in jars)


def ensure_system_deps() -> None:
    """Install javac and the OWL API with apt-get if missing; raise if impossible."""
    missing = []
    if shutil.which("javac") is None or shutil.which("java") is None:
        missing.append(SYSTEM_PACKAGES["javac"])
    if not OWLAPI_JAR.is_file():
        missing.append(SYSTEM_PACKAGES["owlapi"])
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    hint = f"install them with: apt-get update && {' '.join(command)}"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise OwlApiUnavailable(f"missing {', '.join(missing)}; not root, so {hint}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update"], command):
        done = subprocess.run(step, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise OwlApiUnavailable(
                f"`{' '.join(step)}` failed ({done.returncode}): {done.stderr.strip()[-500:]}; "
                + hint
            )
    if shutil.which("javac") is None or not OWLAPI_JAR.is_file():
        raise OwlApiUnavailable(f"installed {', '.join(missing)} but still missing; {hint}")


def compile_checker(destination: Path) -> Path:
    """Compile OwlApiCheck.java into ``destination``; return that folder."""
    ensure_system_deps()
    destination.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["javac", "-d", str(destination), "-cp", classpath(), str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise OwlApiUnavailable(f"javac failed:\n{done.stdout}{done.stderr}")
    return destination


def _run(classes: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["java", "-cp", f"{classes}{os.pathsep}{classpath()}", "OwlApiCheck", *args],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )


def check(classes: Path, ontology_file: Path) -> CheckResult:
    """Load ``ontology_file`` offline and run the OWL 2 DL profile check."""
    done = _run(classes, "check", str(ontology_file))
    if done.returncode != 0:
        raise AssertionError(
            f"OwlApiCheck failed on {ontology_file} ({done.returncode}):\n{done.stderr}"
        )
    problems = tuple(line for line in done.stderr.splitlines() if LOG_PROBLEM.search(line.strip()))
    return CheckResult(summary=json.loads(done.stdout), log_problems=problems, stderr=done.stderr)


def save(classes: Path, ontology_file: Path, output: Path, fmt: str) -> str:
    """Save ``ontology_file`` as the OWL API would (``rdfxml`` or ``turtle``); return stderr."""
    done = _run(classes, "save", str(ontology_file), str(output), fmt)
    if done.returncode != 0:
        raise AssertionError(f"OwlApiCheck save failed ({done.returncode}):\n{done.stderr}")
    return done.stderr


@dataclass(frozen=True)
class SaveResult:
    """What ``save-all`` wrote, and the axiom counts of what it loaded (imports included)."""

    files: tuple[Path, ...]
    axiom_count: int
    logical_axiom_count: int


def save_all(
    classes: Path, ontology_file: Path, folder: Path, fmt: str, *, delete: tuple[str, ...] = ()
) -> SaveResult:
    """Save ``ontology_file`` and every module it imports into ``folder``, as Protégé's
    "Save all" does: each module under its own file name, in ``fmt`` (``rdfxml`` or
    ``turtle``) whatever that name's extension. The entities whose IRIs are in ``delete``
    are first removed with every axiom that mentions them (Protégé's "Delete").

    Fails on any loader warning, since Protégé users would see it too.
    """
    done = _run(classes, "save-all", str(ontology_file), str(folder), fmt, *delete)
    if done.returncode != 0:
        raise AssertionError(f"OwlApiCheck save-all failed ({done.returncode}):\n{done.stderr}")
    problems = [line for line in done.stderr.splitlines() if LOG_PROBLEM.search(line.strip())]
    if problems:
        raise AssertionError("OwlApiCheck save-all logged problems:\n" + "\n".join(problems))
    summary = json.loads(done.stdout)
    return SaveResult(
        files=tuple(folder / name for name in summary["files"]),
        axiom_count=summary["axiom_count"],
        logical_axiom_count=summary["logical_axiom_count"],
    )
