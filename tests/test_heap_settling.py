"""Start-up settles the heap: long-lived objects frozen, the young generation collected less
often; the benchmarks undo it between set-ups."""

from __future__ import annotations

import gc

from pos_app.bootstrap import YOUNG_COLLECTION, settle_heap, unsettle_heap


def test_settling_freezes_what_lives_and_collects_the_young_less_often() -> None:
    process = gc.get_threshold()  # an app started earlier in this process may have settled it
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    gc.unfreeze()
    try:
        kept = [{"sku": f"S{n:05d}"} for n in range(1_000)]  # long-lived, like the catalogue
        before = settle_heap()
        assert before == (700, 10, 10)
        assert gc.get_threshold() == (YOUNG_COLLECTION, 10, 10)
        assert YOUNG_COLLECTION >= 10 * 700
        assert gc.get_freeze_count() >= len(kept)
        unsettle_heap(before)
        assert gc.get_threshold() == (700, 10, 10)
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*process)
