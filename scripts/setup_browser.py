#!/usr/bin/env python3
"""Make sure the end-to-end tests have a browser: Debian's chromium at /usr/bin/chromium.

Playwright drives it through `executable_path` (Playwright's own browser download is not
used). Quick and idempotent: when chromium is there it only says so. When it is missing it
installs it with apt-get if this runs as root, and otherwise explains what to do; the browser
tests then skip with that message. Never fails the test command.
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def main() -> int:
    if os.path.exists(CHROMIUM):
        return 0
    if sys.platform != "linux" or not shutil.which("apt-get"):
        say(f"no browser at {CHROMIUM} and no apt-get here: the browser tests will be skipped")
        return 0
    if os.geteuid() != 0:
        say(f"no browser at {CHROMIUM}: run `sudo apt-get install -y chromium` to run the browser tests")
        return 0
    say("installing Debian's chromium for the browser tests (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
    ):
        result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        if result.returncode != 0:
            say(f"`{' '.join(command)}` failed: the browser tests will be skipped")
            return 0
    say(f"chromium installed at {CHROMIUM}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
