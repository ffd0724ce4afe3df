"""The deployment kit (``deploy/``): systemd units, the cron line, logrotate, scrapyd,
the env file and ``govcrawl-ctl``.

The units are parsed here (systemd's INI dialect: duplicate keys kept, ``\\``
continuations) and their key settings checked against the ``govcrawl`` command line.
Where ``systemd-analyze`` exists it also verifies them; where it does not, the parse
checks are the test. Nothing here needs systemd running, root, or the network.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govcrawl.cli import build_parser
from govcrawl.config import Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
NIGHTLY = SYSTEMD / "govcrawl-nightly.service"
TIMER = SYSTEMD / "govcrawl-nightly.timer"
RECRAWL = SYSTEMD / "govcrawl-recrawl@.service"
SCRAPYD_UNIT = DEPLOY / "scrapyd" / "scrapyd.service"
UNITS = [NIGHTLY, TIMER, RECRAWL, SCRAPYD_UNIT]

VENV_BIN = "/opt/govcrawl/.venv/bin/"
GOVCRAWL = VENV_BIN + "govcrawl"
LOCK = "/run/lock/govcrawl-nightly.lock"
NIGHTLY_COMMAND = ["crawl", "--all", "--trigger", "scheduled"]

Unit = dict[str, list[tuple[str, str]]]

# Every key the kit's units use, by section: a misspelt key is otherwise ignored by
# systemd with a warning, and the parse checks below run where systemd-analyze does not.
KNOWN_KEYS = {
    "Unit": {"Description", "Documentation", "Wants", "Requires", "After", "Before", "OnFailure"},
    "Service": {
        "Type", "User", "Group", "WorkingDirectory", "EnvironmentFile", "Environment",
        "ExecStart", "StandardOutput", "StandardError", "SyslogIdentifier", "Restart",
        "RestartSec", "TimeoutStartSec", "TimeoutStopSec", "Nice", "CPUSchedulingPolicy",
        "IOSchedulingClass", "MemoryHigh", "MemoryMax", "NoNewPrivileges", "ProtectSystem",
        "ReadWritePaths", "StateDirectory", "LogsDirectory", "LogsDirectoryMode", "UMask",
        "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
        "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
        "ProtectHostname", "ProtectProc", "CapabilityBoundingSet", "RestrictSUIDSGID",
        "RestrictRealtime", "RestrictAddressFamilies", "LockPersonality",
        "SystemCallArchitectures",
    },
    "Timer": {"OnCalendar", "RandomizedDelaySec", "AccuracySec", "Persistent", "Unit"},
    "Install": {"WantedBy"},
}  # fmt: skip

# The sandbox the re-crawl shares with the nightly (ReadWritePaths differ: the nightly
# also writes its flock file in /run/lock).
SANDBOX = [
    "User", "Group", "WorkingDirectory", "EnvironmentFile", "NoNewPrivileges",
    "ProtectSystem", "LogsDirectory", "UMask", "ProtectHome", "PrivateTmp", "PrivateDevices",
    "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
    "ProtectControlGroups", "ProtectClock", "ProtectHostname", "ProtectProc",
    "CapabilityBoundingSet", "RestrictSUIDSGID", "RestrictRealtime",
    "RestrictAddressFamilies", "LockPersonality", "SystemCallArchitectures", "Nice",
    "IOSchedulingClass",
]  # fmt: skip


# -- a parser for systemd's INI dialect ---------------------------------------------
def parse_unit(path: Path) -> Unit:
    """Sections of ``Key=value`` pairs in file order, duplicate keys kept (systemd lists
    such as ``ReadWritePaths=`` may be given several times); ``#``/``;`` comments and
    trailing-backslash continuations as systemd reads them."""
    sections: Unit = {}
    current: str | None = None
    pending = ""
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("["):
            assert line.endswith("]"), f"{path.name}:{lineno}: bad section header {raw!r}"
            current = line[1:-1]
            assert current not in sections, f"{path.name}:{lineno}: [{current}] twice"
            sections[current] = []
            continue
        assert current is not None, f"{path.name}:{lineno}: key outside a section"
        key, sep, value = line.partition("=")
        assert sep and key.strip(), f"{path.name}:{lineno}: not Key=value: {raw!r}"
        sections[current].append((key.strip(), value.strip()))
    assert not pending, f"{path.name}: ends in a continuation"
    return sections


def values(unit: Unit, section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def value(unit: Unit, section: str, key: str) -> str:
    found = values(unit, section, key)
    assert found, f"no {key}= in [{section}]"
    return found[-1]  # the last assignment wins


def words(unit: Unit, section: str, key: str) -> list[str]:
    """A list-valued setting (``ReadWritePaths=``, ``Wants=`` ...): every assignment's
    space-separated words; an empty assignment resets the list, as in systemd."""
    out: list[str] = []
    for v in values(unit, section, key):
        out = [*out, *v.split()] if v else []
    return out


def true(text: str) -> bool:
    return text.lower() in ("1", "yes", "true", "on")


_SPAN_UNITS = {"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hr": 3600, "d": 86400}


def seconds(span: str) -> float:
    """A systemd time span (``20h``, ``5min``, ``1h 30min``) in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", span)
    assert parts and re.fullmatch(r"(\s*\d+(\.\d+)?\s*[a-z]*)+", span), span
    return sum(float(n) * _SPAN_UNITS[u] for n, u in parts)


def flock_argv(argv: list[str]) -> tuple[list[str], str, list[str]]:
    """``flock OPTIONS LOCKFILE COMMAND...`` -> (options, lock file, command)."""
    assert Path(argv[0]).name == "flock", argv
    i = 1
    options = []
    while argv[i].startswith("-"):
        options.append(argv[i])
        if argv[i] in ("-E", "--conflict-exit-code", "-w", "--timeout"):
            i += 1
            options.append(argv[i])
        i += 1
    return options, argv[i], argv[i + 1 :]


# -- the units ------------------------------------------------------------------------
@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_unit_parses_with_known_keys(path: Path) -> None:
    unit = parse_unit(path)
    for section, pairs in unit.items():
        assert section in KNOWN_KEYS, f"{path.name}: unknown section [{section}]"
        unknown = {k for k, _ in pairs} - KNOWN_KEYS[section]
        assert not unknown, f"{path.name}: unknown keys in [{section}]: {sorted(unknown)}"
    # Python's configparser reads it too (strict=False: duplicate keys allowed).
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    assert set(parser.sections()) == set(unit)


def test_nightly_service_runs_the_scheduled_crawl_under_flock() -> None:
    unit = parse_unit(NIGHTLY)
    assert value(unit, "Service", "Type") == "oneshot"
    assert value(unit, "Service", "User") == "govcrawl"
    assert value(unit, "Service", "Group") == "govcrawl"
    assert value(unit, "Service", "WorkingDirectory") == "/srv/govcrawl"
    assert value(unit, "Service", "EnvironmentFile") == "/etc/govcrawl/env"
    assert "network-online.target" in words(unit, "Unit", "Wants")
    assert "network-online.target" in words(unit, "Unit", "After")

    [exec_start] = values(unit, "Service", "ExecStart")
    argv = shlex.split(exec_start)
    assert argv[0] == "/usr/bin/flock"
    options, lock, command = flock_argv(argv)
    assert "-n" in options  # never queue behind a running nightly
    assert lock == LOCK
    assert command == [GOVCRAWL, *NIGHTLY_COMMAND]
    args = build_parser().parse_args(command[1:])  # the command line govcrawl accepts
    assert (args.command, args.all, args.trigger, args.slugs) == ("crawl", True, "scheduled", [])
    if "-E" in options:  # a conflict must not look like govcrawl's own statuses 0/1/2
        assert int(options[options.index("-E") + 1]) not in (0, 1, 2)

    # Hardening: read-only system, writes only to the archive, logs and the lock.
    assert true(value(unit, "Service", "NoNewPrivileges"))
    assert value(unit, "Service", "ProtectSystem") == "strict"
    assert true(value(unit, "Service", "PrivateTmp"))
    assert true(value(unit, "Service", "ProtectHome"))
    writable = words(unit, "Service", "ReadWritePaths")
    assert "/srv/govcrawl" in writable
    assert "/run/lock" in writable  # ProtectSystem=strict leaves /run read-only
    assert value(unit, "Service", "LogsDirectory") == "govcrawl" or "/var/log/govcrawl" in writable
    assert value(unit, "Service", "CapabilityBoundingSet") == ""
    # Chromium needs writable executable memory and its own namespaces.
    assert not values(unit, "Service", "MemoryDenyWriteExecute")
    assert not values(unit, "Service", "RestrictNamespaces")

    # A long, low-priority job with a ceiling well under a day.
    assert 6 * 3600 <= seconds(value(unit, "Service", "TimeoutStartSec")) < 24 * 3600
    assert int(value(unit, "Service", "Nice")) > 0
    assert value(unit, "Service", "IOSchedulingClass") == "idle"
    assert not values(unit, "Install", "WantedBy")  # started by the timer, not at boot


def test_timer_starts_the_nightly_at_0230_shanghai_and_catches_up() -> None:
    unit = parse_unit(TIMER)
    calendar = value(unit, "Timer", "OnCalendar")
    assert "02:30" in calendar
    assert calendar.endswith("Asia/Shanghai")
    assert true(value(unit, "Timer", "Persistent"))
    assert 0 < seconds(value(unit, "Timer", "RandomizedDelaySec")) <= 3600
    target = value(unit, "Timer", "Unit")
    assert target == NIGHTLY.name
    assert (SYSTEMD / target).is_file()
    assert words(unit, "Install", "WantedBy") == ["timers.target"]
    analyze = shutil.which("systemd-analyze")
    if analyze:  # systemd's own reading of the calendar expression
        out = subprocess.run(
            [analyze, "calendar", calendar], capture_output=True, text=True, timeout=30
        )
        assert out.returncode == 0, out.stderr
        assert "02:30:00 Asia/Shanghai" in out.stdout


def test_recrawl_template_recrawls_the_instance_on_demand() -> None:
    assert RECRAWL.name.endswith("@.service")  # a template: govcrawl-recrawl@SLUG.service
    unit = parse_unit(RECRAWL)
    assert value(unit, "Service", "Type") == "oneshot"
    [exec_start] = values(unit, "Service", "ExecStart")
    argv = shlex.split(exec_start)
    assert argv == [GOVCRAWL, "recrawl", "%i", "--trigger", "on-demand"]
    assert "%i" in value(unit, "Unit", "Description")
    # Not under the nightly's flock: govcrawl's region lock keeps it off a region the
    # nightly is crawling, and re-crawls of different regions may run together.
    assert "flock" not in exec_start
    args = build_parser().parse_args([a.replace("%i", "zhalantun") for a in argv[1:]])
    assert (args.command, args.region, args.trigger) == ("recrawl", "zhalantun", "on-demand")

    nightly = parse_unit(NIGHTLY)
    for key in SANDBOX:
        assert values(unit, "Service", key) == values(nightly, "Service", key), key
    assert "/srv/govcrawl" in words(unit, "Service", "ReadWritePaths")
    assert seconds(value(unit, "Service", "TimeoutStartSec")) >= 3600


def test_units_verify_with_systemd_analyze(tmp_path: Path) -> None:
    """The parse checks always; ``systemd-analyze verify`` too where it exists, on copies
    whose /opt/govcrawl/.venv/bin programs are stand-ins (it checks they exist)."""
    for path in UNITS:
        assert parse_unit(path)
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("govcrawl", "scrapyd"):
        stub = bin_dir / name
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    units_dir = tmp_path / "units"
    units_dir.mkdir()
    for path in UNITS:
        text = path.read_text(encoding="utf-8").replace(VENV_BIN, f"{bin_dir}/")
        (units_dir / path.name).write_text(text, encoding="utf-8")
    names = [NIGHTLY.name, TIMER.name, "govcrawl-recrawl@zhalantun.service", SCRAPYD_UNIT.name]
    out = subprocess.run(
        [analyze, "verify", "--man=no", *(str(units_dir / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_COLOR": "0"},
    )
    ours = [
        line
        for line in (out.stdout + out.stderr).splitlines()
        if any(stem in line for stem in ("govcrawl-", "scrapyd.service"))
    ]
    assert out.returncode == 0, out.stdout + out.stderr
    assert not ours, "\n".join(ours)


# -- cron -------------------------------------------------------------------------------
_CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def _cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        m = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not m:
            return False
        numbers = [int(n) for n in m.group(2, 3) if n is not None]
        if any(not low <= n <= high for n in numbers) or m.group(4) == "0":
            return False
    return True


def test_cron_line_runs_the_nightly_under_flock() -> None:
    path = DEPLOY / "cron" / "govcrawl"
    assert "." not in path.name  # cron skips /etc/cron.d files with a dot in the name
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")  # cron ignores a last line without its newline
    jobs = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):  # SHELL=, PATH=, MAILTO=
            continue
        jobs.append(line)
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 6)
    assert len(fields) == 7, "5 time fields, the user, the command"
    *times, user, command = fields
    for field, (low, high) in zip(times, _CRON_RANGES, strict=True):
        assert _cron_field_ok(field, low, high), field
    assert times[:2] == ["30", "2"]  # 02:30, as the timer
    assert user == "govcrawl"
    assert "%" not in command  # cron turns % into a newline
    argv = shlex.split(command)
    start = argv.index("flock")
    options, lock, rest = flock_argv(argv[start:])
    assert "-n" in options
    assert lock == LOCK  # the same lock as the systemd unit
    assert rest[: 1 + len(NIGHTLY_COMMAND)] == [GOVCRAWL, *NIGHTLY_COMMAND]
    assert ". /etc/govcrawl/env" in command  # the same settings as the units
    assert "/var/log/govcrawl/" in command
    syntax = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr


# -- logrotate ----------------------------------------------------------------------------
def test_logrotate_config(tmp_path: Path) -> None:
    path = DEPLOY / "logrotate" / "govcrawl"
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("{"):
            assert current is None, "nested block"
            current = line[:-1].strip()
            blocks[current] = []
        elif line == "}":
            assert current is not None, "unbalanced }"
            current = None
        else:
            assert current is not None, f"directive outside a block: {line}"
            blocks[current].append(line)
    assert current is None, "unclosed block"
    assert list(blocks) == ["/var/log/govcrawl/*.log"]
    directives = blocks["/var/log/govcrawl/*.log"]
    for expected in ("daily", "rotate 30", "compress", "missingok", "copytruncate"):
        assert expected in directives, expected
    logrotate = shutil.which("logrotate")
    if logrotate:  # logrotate's own parse, in debug mode (changes nothing)
        me = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        group = subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
        conf = tmp_path / "govcrawl"
        text = path.read_text(encoding="utf-8")
        conf.write_text(re.sub(r"(?m)^(\s*)su .*$", rf"\1su {me} {group}", text))
        conf.chmod(0o644)
        out = subprocess.run(
            [logrotate, "-d", "-s", str(tmp_path / "state"), str(conf)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert "error:" not in (out.stdout + out.stderr).lower()


# -- the env file and govcrawl-ctl ---------------------------------------------------------
def _env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile= reads the example's subset."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S.*", line), f"not KEY=value: {line!r}"
        key, _, raw = line.partition("=")
        env[key] = raw[1:-1] if raw[:1] == raw[-1:] == "'" else raw
    return env


def test_env_example_is_read_alike_by_systemd_sh_and_govcrawl() -> None:
    path = DEPLOY / "govcrawl.env.example"
    env = _env_file(path)
    assert env["GOVCRAWL_DB"].startswith("sqlite:////srv/govcrawl/")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "govcrawl").rglob("*.py"))
    for key in env:  # every variable is one govcrawl reads
        assert key.startswith("GOVCRAWL_") and key in sources, key
    Config.from_env(env)  # and its values are ones it accepts
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; set +a; env', "sh", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert shell.returncode == 0, shell.stderr
    from_sh = dict(
        line.split("=", 1) for line in shell.stdout.splitlines() if line.startswith("GOVCRAWL_")
    )
    assert from_sh == env


def test_govcrawl_ctl_runs_govcrawl_with_the_env_file(tmp_path: Path) -> None:
    script = DEPLOY / "bin" / "govcrawl-ctl"
    assert os.access(script, os.X_OK)
    env_file = tmp_path / "env"
    example = (DEPLOY / "govcrawl.env.example").read_text(encoding="utf-8")
    db = tmp_path / "archive.db"
    env_file.write_text(
        example.replace("sqlite:////srv/govcrawl/archive.db", f"sqlite:///{db}"),
        encoding="utf-8",
    )
    me = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    govcrawl = shutil.which("govcrawl") or str(Path(sys.executable).parent / "govcrawl")
    out = subprocess.run(
        [str(script), "runs", "--last", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "GOVCRAWL_USER": me,
            "GOVCRAWL_HOME": str(tmp_path),
            "GOVCRAWL_ENV_FILE": str(env_file),
            "GOVCRAWL_BIN": govcrawl,
        },
    )
    assert out.returncode == 0, out.stderr
    assert "no crawl runs yet" in out.stdout
    assert db.is_file()  # GOVCRAWL_DB came from the env file


# -- scrapyd -----------------------------------------------------------------------------
def test_scrapyd_runs_the_installed_project_with_the_env_file() -> None:
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(DEPLOY / "scrapyd" / "scrapyd.conf", encoding="utf-8")
    assert conf["scrapyd"]["bind_address"] == "127.0.0.1"  # the API has no authentication
    assert conf["scrapyd"]["http_port"] == "6800"
    scrapy_cfg = configparser.ConfigParser(interpolation=None)
    scrapy_cfg.read(ROOT / "scrapy.cfg", encoding="utf-8")
    project = scrapy_cfg["deploy"]["project"]
    assert project == "govcrawl"
    assert conf["settings"][project] == scrapy_cfg["settings"]["default"] == "govcrawl.settings"

    unit = parse_unit(SCRAPYD_UNIT)
    assert value(unit, "Service", "User") == "govcrawl"
    assert value(unit, "Service", "EnvironmentFile") == "/etc/govcrawl/env"
    assert "SCRAPY_SETTINGS_MODULE=govcrawl.settings" in values(unit, "Service", "Environment")
    assert shlex.split(value(unit, "Service", "ExecStart"))[0] == VENV_BIN + "scrapyd"

    readme = (DEPLOY / "scrapyd" / "README.md").read_text(encoding="utf-8")
    for needle in ("url = http://localhost:6800/", "scrapyd-deploy", "scrapy crawl SLUG"):
        assert needle in readme, needle
    assert "GOVCRAWL_DB" in readme


# -- the operator's README ------------------------------------------------------------------
def test_deploy_readme_covers_the_kit_and_its_links_resolve() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for needle in (
        "runs --last",
        "journalctl -u govcrawl-nightly",
        "systemctl start govcrawl-recrawl@",
        "recrawl zhalantun --force",
        "systemctl enable --now govcrawl-nightly.timer",
        "apt-get install",
        "/etc/govcrawl/env",
        "archive.raw",
        "/var/log/govcrawl",
    ):
        assert needle in readme, needle
    links = re.findall(r"\]\(([^)#:]+)\)", readme)
    assert links
    for link in links:
        assert (DEPLOY / link).exists(), link
    # Every file of the kit is named in the README of its folder (scrapyd/ has its own).
    scrapyd_readme = (DEPLOY / "scrapyd" / "README.md").read_text(encoding="utf-8")
    for path in DEPLOY.rglob("*"):
        if not path.is_file() or path.name == "README.md" or "__pycache__" in path.parts:
            continue
        if path.parent.name == "scrapyd":
            assert f"]({path.name})" in scrapyd_readme, path
        else:
            assert f"]({path.relative_to(DEPLOY)})" in readme, path
