"""Start-up settles the heap: long-lived objects frozen, the young generation collected less
often; the benchmarks undo it between set-ups."""

from __future__ import annotations

import gc

from pos_app.bootstrap import YOUNG_COLLECTION, settle_heap, unsettle_heap


def test_settling_freezes_what_lives_and_collects_the_young_less_often() -> None:
    original = gc.get_threshold()
    kept = [{"sku": f"S{n:05d}"} for n in range(1_000)]  # long-lived, like the catalogue
    before = settle_heap()
    try:
        assert before == original
        assert gc.get_threshold() == (YOUNG_COLLECTION, original[1], original[2])
        assert original[0] < YOUNG_COLLECTION
        assert gc.get_freeze_count() >= len(kept)
    finally:
        unsettle_heap(before)
    assert gc.get_threshold() == original
    assert gc.get_freeze_count() == 0
