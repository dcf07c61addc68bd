"""Run a command (the test suite) with the local stack up; stop only what this run started.

Used by `make test`: a CI machine starts with nothing running, and must end with nothing
running, also when the tests fail or the run is interrupted.
"""

from __future__ import annotations

import signal
import subprocess
import sys


def main(argv: list[str]) -> int:
    from khabar.stack import ensure_up_for_tests, teardown_for_tests

    started = ensure_up_for_tests()
    proc = None
    try:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        proc = subprocess.Popen(argv)
        return proc.wait()
    except KeyboardInterrupt:
        if proc is not None:
            proc.terminate()
            proc.wait()
        return 130
    finally:
        if started:
            print("with_stack: stopping the local stack this run started", file=sys.stderr)
            teardown_for_tests()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
