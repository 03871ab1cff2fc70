"""The four fault drills, one after the other, each in a process of its own, at their sizes.

    uv run python -m tests.drills.all

Prints each drill's figures as it ends, then one line per drill; exits 1 if any missed its
target. Each drill's own command takes sizes (`python -m tests.drills.<name> --help`).
"""

import re
import subprocess
import sys
import time

DRILLS = ("redis_stopped", "worker_killed", "postgres_restarted", "smtp_down")


def main() -> int:
    summary, missed = [], []
    for name in DRILLS:
        began = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", f"tests.drills.{name}"], capture_output=True, text=True
        )
        print(result.stdout, end="", flush=True)
        if result.returncode and not result.stdout:
            print(result.stderr[-3000:], end="")
        figures = re.search(r"sent \d+, lost \d+, duplicated \d+", result.stdout)
        verdict = "met" if result.returncode == 0 else "NOT MET"
        if result.returncode:
            missed.append(name)
        took = time.monotonic() - began
        summary.append(
            f"{name:20} {figures[0] if figures else 'no figures':40} {verdict:8} "
            f"(command {took:.0f} s)"
        )
    print("\n" + "\n".join(summary))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
