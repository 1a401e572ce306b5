"""The start-up benchmark times real processes to their first output, against `python -c pass`."""
import sys

from diffbench.startup import BASELINE, LIGHT_COMMANDS, first_output_seconds, measure_startup


def test_first_output_is_timed_at_the_first_byte_not_at_exit():
    script = "import sys, time; time.sleep(0.5); print('x', flush=True); time.sleep(1.5)"
    seconds = first_output_seconds([sys.executable, "-c", script])
    assert 0.5 <= seconds < 1.5


def test_startup_rows_time_each_light_command_against_the_baseline():
    rows = {r["command"]: r for r in measure_startup(rounds=1)}
    assert list(rows) == [BASELINE, *(f"diffbench {' '.join(args)}" for args in LIGHT_COMMANDS)]
    assert rows[BASELINE]["ratio"] == 1.0
    for label, row in rows.items():
        assert row["seconds"] > 0 and row["ratio"] == row["seconds"] / rows[BASELINE]["seconds"]
    # importing click and the CLI costs more than an empty interpreter; rendering a report more than --help
    assert rows["diffbench --help"]["ratio"] > 1
    assert rows["diffbench report RUN"]["seconds"] > rows["diffbench --help"]["seconds"]
