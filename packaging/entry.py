"""PyInstaller's entry script: the same `main` as the `genai-desktop` console script.

genai_desktop/__main__.py cannot serve here because PyInstaller runs its entry as a
top-level script, where the package-relative import it uses does not resolve.
"""

import multiprocessing
import sys

from genai_desktop.cli import main

if __name__ == "__main__":
    # A frozen app is its own Python: a worker process (core/worker.py, the FSRS fit) starts as
    # this executable, and freeze_support() runs the worker instead of a second app.
    multiprocessing.freeze_support()
    sys.exit(main())
