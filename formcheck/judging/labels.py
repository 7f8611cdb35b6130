"""A per-frame label (which side, which stretch) that changes only once the new one has lasted.

With `min_s` of 0 every frame keeps its own label. Otherwise a new label must last `min_s` before
it is taken, and is then back-dated to where the old one was last seen: a leg swept through
another stretch's shape on its way in or out is not a second stretch. A moment without a label
inside a hold (a glitch) keeps the hold's label.
"""

from __future__ import annotations


class StickyLabel:
    def __init__(self, min_s: float) -> None:
        self.min_s = min_s
        self.raw: list[str] = []
        self.now = ""
        self._pending = ""
        self._pending_t = 0.0
        self._seen_at = 0  # the first frame after the current label was last seen

    def decide(self, i: int, t: float, raw: str, in_position: bool) -> tuple[str, range]:
        """Frame i's label, and the earlier frames that take it too (back-dated)."""
        self.raw.append(raw)
        if self.min_s <= 0:
            return raw, range(0)
        if not raw:
            return (self.now if in_position else ""), range(0)
        if raw == self.now:
            self._pending, self._seen_at = "", i + 1
            return raw, range(0)
        if raw != self._pending:
            self._pending, self._pending_t = raw, t
        if t - self._pending_t < self.min_s:
            return self.now, range(0)
        back = range(self._seen_at, i)
        self.now, self._pending, self._seen_at = raw, "", i + 1
        return raw, back
