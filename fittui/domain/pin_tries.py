"""How long the PIN prompt makes the next try wait after wrong PINs.

Why: client mode is only as private as the PIN, and a PIN is 4 to 8 digits. Checking one
takes a few hundredths of a second, so a client left alone with the laptop could try every
four-digit PIN in minutes. The first wrong PINs cost nothing (a therapist mistypes), and
each one after them makes the next try wait twice as long, from half a minute to at most
:data:`LONGEST_WAIT`: trying them all would take weeks. The right PIN starts the count
again. The count is the app's, not one prompt's: F2 again does not reset it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

FREE_TRIES = 3  # wrong PINs that cost no wait, however many prompts they are typed in
FIRST_WAIT = 30.0  # seconds after the first wrong PIN beyond them; doubled for each next
LONGEST_WAIT = 600.0


class PinTries:
    """The wrong PINs typed since the last right one, and when the next try is allowed,
    in seconds of ``clock`` (one that never goes back)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.wrong = 0
        self.next_try_at = 0.0

    def wait_left(self) -> float:
        """Seconds until a PIN may be tried; 0 when it may be now."""
        return max(0.0, self.next_try_at - self.clock())

    def count_wrong(self) -> None:
        """A wrong PIN was typed: beyond the free ones, the next try waits."""
        self.wrong += 1
        beyond = self.wrong - FREE_TRIES
        if beyond > 0:
            wait = FIRST_WAIT * 2 ** min(beyond - 1, 16)  # (an exponent a float holds)
            self.next_try_at = self.clock() + min(LONGEST_WAIT, wait)

    def count_right(self) -> None:
        self.wrong = 0
        self.next_try_at = 0.0
