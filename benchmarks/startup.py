"""startup_to_window: process start to the first usable cashier window, offscreen.

`pos --quit-when-ready` prints "ready" from the Qt event loop once the window is shown; the
time is taken here, from spawning the process to reading that line. The data folder is
prepared by one unmeasured start (it seeds the demo store). The baseline is a bare
PySide6 process that shows an empty window the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
ROOT = Path(__file__).resolve().parent.parent

BARE_QT = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication(sys.argv[:1]); w = QMainWindow(); w.show()\n"
    "QTimer.singleShot(0, lambda: (print('ready', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def time_until_ready(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env, cwd=ROOT)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("ready"):
            elapsed = (time.perf_counter() - started) * 1000
            break
    else:
        raise RuntimeError(f"{command} ended without saying ready (exit {process.wait()})")
    process.wait(timeout=30)
    return elapsed


def startup_to_window() -> tuple[str, list[float], str, str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="pos-bench-start-") as folder:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "XDG_CONFIG_HOME": folder}  # no personal config file
        app = [sys.executable, "-m", "ui.main", "--data-dir", folder, "--quit-when-ready"]
        time_until_ready(app, env)  # first start: migrates and seeds the demo store
        samples = [time_until_ready(app, env) for _ in range(RUNS)]
        baseline = [time_until_ready([sys.executable, "-c", BARE_QT], env) for _ in range(RUNS)]
    setup = ("`python -m ui.main --quit-when-ready`, offscreen, demo store already seeded "
             "(2,000 products, SQLite); spawn to 'ready' printed from the Qt event loop")
    return ("startup_to_window", samples, setup, "bare PySide6 QMainWindow process", baseline)
