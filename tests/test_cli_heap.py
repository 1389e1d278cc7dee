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


def test_main_called_inside_another_program_does_not_take_the_process_for_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tests call ``cli.app.main`` in their own process: it must not mark that process as
    the command's (a rejudge or audit would then freeze the test run's heap)."""
    from zoomaudit.cli.app import main

    monkeypatch.setattr(heap, "_own_process", False)
    monkeypatch.setattr("sys.argv", ["zoomaudit", "version"])
    with pytest.raises(SystemExit):
        main()
    assert heap._own_process is False


def test_the_console_script_takes_its_process_for_the_command() -> None:
    """Run as the console script is (``__main__`` holds ``main``), the flag is set."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from zoomaudit.cli.app import main\n"
        "sys.argv = ['zoomaudit', 'version']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    from zoomaudit.cli import heap\n"
        "    print('own', heap._own_process)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "own True" in done.stdout
