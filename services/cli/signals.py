"""Stop signals for the commands that run a stack: they unwind as `Stopped`, once."""

from __future__ import annotations

import signal

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """A stop signal arrived; the stack is being stopped."""


def stop_on_signals() -> None:
    """SIGTERM, SIGHUP and Ctrl-C stop the stack gracefully; signals that arrive while it
    stops are ignored, so a second Ctrl-C cannot leave children behind."""

    def stop(signum: int, _frame: object) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signal.Signals(signum).name)

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
