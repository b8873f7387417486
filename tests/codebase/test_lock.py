"""The lock files say the same versions as the readable requirements files, with hashes."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(path: Path) -> dict[str, str]:
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_lock_pins_every_requirement_at_its_version(requirements, lock):
    wanted = pins(ROOT / requirements)
    if requirements == "requirements-dev.txt":
        wanted |= pins(ROOT / "requirements.txt")
    locked = pins(ROOT / lock)

    assert {name: locked.get(name) for name in wanted} == wanted, (
        f"{lock} is out of date: see docs/reference/configuration.md, 'Dependencies'"
    )


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_lock_gives_a_hash_for_every_package(lock):
    text = (ROOT / lock).read_text()
    packages = re.split(r"\n(?=[A-Za-z0-9])", text)
    entries = [entry for entry in packages if PIN.match(entry)]

    assert entries
    assert [entry.split("==")[0] for entry in entries if "--hash=sha256:" not in entry] == []


def test_runtime_lock_agrees_with_the_dev_lock():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")

    assert {name: dev.get(name) for name in runtime} == runtime
