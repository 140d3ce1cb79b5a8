"""Memory watch: when the server's process has grown, the session whose run grew it is weighed, and ended if it keeps more than its `session_memory` (limits.py, kept.py).

Weighing walks a session's data, too much work for every run; reading the process's resident
size is not (about a microsecond: js/budget.py). So after each run of a session the server
looks at the resident size, and only when it has grown by `STEP` bytes since the last weighing
does it weigh the session that has just run. Memory the process takes for good is thus looked
at once per `STEP`, and mostly where it goes: the session that keeps growing is the one whose
runs most often cross the next mark. The mark follows the resident size down when memory is
given back, so growth is always counted from the lowest point since the last weighing.
"""

from __future__ import annotations

from ..js.budget import resident_bytes
from ..kept import enforce_session_memory

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing at run time)
if TYPE_CHECKING:  # pragma: no cover
    from ..machine import Machine

STEP = 32 << 20


class MemoryWatch:
    """One per server: `after_run(session)` after each run of a top-level session."""

    def __init__(self, step: int = STEP) -> None:
        self.step = step
        self.mark = resident_bytes() or 0
        self.weighed = 0  # sessions weighed
        self.ended = 0  # ... and ended for it (/ors/health: ended_for_memory)

    def after_run(self, machine: "Machine") -> bool:
        """Weigh `machine` when the process has grown by `step` since the last weighing; True
        when it was over its limit and has ended."""
        now = resident_bytes()
        if now is None:
            return False
        if now < self.mark:
            self.mark = now
            return False
        if now - self.mark < self.step:
            return False
        self.mark = now
        self.weighed += 1
        if enforce_session_memory(machine):
            self.ended += 1
            return True
        return False


__all__ = ["MemoryWatch", "STEP"]
