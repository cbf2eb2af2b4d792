"""``SystemExit`` and ``KeyboardInterrupt`` raised by a task's own code, told apart from a real
interrupt of the kernel.

Either exception would end the kernel if it reached the event loop (asyncio re-raises both
from the task that raised them). A task that calls ``sys.exit()``, hits an argparse error or
raises ``KeyboardInterrupt`` fails its action with :class:`TaskExitError` instead. A real
interrupt (SIGINT: Ctrl-C, the kernel's stop button) still cancels the run: Python raises it
at whatever instruction the main thread was running when the signal was handled, never at a
``raise`` statement, and never in another thread, which is how the two are told apart.
"""

from __future__ import annotations

import dis
import threading
from types import TracebackType

from ..errors import TaskExitError

_RAISES = frozenset(dis.opmap[name] for name in ("RAISE_VARARGS", "RERAISE") if name in dis.opmap)

#: set on a KeyboardInterrupt that a sync task body raised in its thread (signals never land there)
USER_EXIT_MARK = "__flyte_user_exit__"


def mark_if_user_exit(exc: BaseException) -> None:
    """Call where a task body raised ``exc``: outside the main thread no signal can have
    raised it, so a ``KeyboardInterrupt`` there is the code's own."""
    if isinstance(exc, KeyboardInterrupt) and threading.current_thread() is not threading.main_thread():
        try:
            setattr(exc, USER_EXIT_MARK, True)
        except AttributeError:
            pass


def user_exit(exc: BaseException, task: str) -> TaskExitError | None:
    """The :class:`TaskExitError` that ``exc``, raised by the code of task ``task``, becomes;
    None when ``exc`` is a real interrupt of the process (it must cancel the run as it is)."""
    if isinstance(exc, SystemExit):
        code = exc.code
        return TaskExitError(
            f"task {task} exited with SystemExit({code!r}) (sys.exit(), raise SystemExit or an argparse error) "
            "instead of returning; its action fails and the kernel keeps running. Return a value or raise an "
            "exception instead (catch SystemExit around argparse's parse_args)",
            task=task,
            code=code,
            raised="SystemExit",
        )
    if isinstance(exc, KeyboardInterrupt) and (getattr(exc, USER_EXIT_MARK, False) or _raised_by_code(exc)):
        return TaskExitError(
            f"task {task} raised KeyboardInterrupt itself (not an interrupt of the kernel); its action fails and "
            "the kernel keeps running. Raise an exception instead, or call run.cancel() to stop the run",
            task=task,
            raised="KeyboardInterrupt",
        )
    return None


def _raised_by_code(exc: BaseException) -> bool:
    """True when the innermost frame of ``exc``'s traceback was executing a ``raise``."""
    tb: TracebackType | None = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code.co_code
    lasti = tb.tb_lasti
    return 0 <= lasti < len(code) and code[lasti] in _RAISES
