"""The wait the PIN prompt makes after wrong PINs (``domain/pin_tries.py``)."""

from __future__ import annotations

from fittui.domain.pin_tries import FIRST_WAIT, FREE_TRIES, LONGEST_WAIT, PinTries


def test_the_wait_doubles_beyond_the_free_tries_up_to_the_longest_and_the_right_pin_ends_it():
    now = [0.0]
    tries = PinTries(clock=lambda: now[0])
    for _ in range(FREE_TRIES):
        tries.count_wrong()
        assert tries.wait_left() == 0
    waits = []
    for _ in range(12):
        tries.count_wrong()
        waits.append(tries.wait_left())
        now[0] += waits[-1]
        assert tries.wait_left() == 0
    assert waits[:3] == [FIRST_WAIT, 2 * FIRST_WAIT, 4 * FIRST_WAIT]
    assert waits == sorted(waits) and waits[-1] == LONGEST_WAIT
    # Every four-digit PIN, tried as fast as the waits allow, takes weeks.
    assert FIRST_WAIT * 3 + LONGEST_WAIT * (10_000 - 10) > 60 * 60 * 24 * 7 * 4
    tries.count_wrong()
    tries.count_right()
    assert tries.wait_left() == 0 and tries.wrong == 0
    for _ in range(5000):  # no wait too large to count
        tries.count_wrong()
    assert tries.wait_left() == LONGEST_WAIT
