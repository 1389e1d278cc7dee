"""``cli.heap.settle``: the collector is tuned only in the console script's own process."""

from __future__ import annotations

import gc

import pytest

from zoomaudit.cli import heap


def test_a_process_that_lives_on_keeps_its_collector_as_it_is() -> None:
    before = (gc.get_threshold(), gc.get_freeze_count())
    heap.settle()
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_the_console_scripts_process_freezes_its_heap_and_collects_the_young_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threshold = gc.get_threshold()
    monkeypatch.setattr(heap, "_own_process", False)
    heap.own_process()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, *threshold[1:])
        # Cycles made after it are still collected.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
