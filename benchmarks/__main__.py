"""`python -m benchmarks [imports|activities|surveys] [options]` (imports when no name is given).

Each benchmark sets Django up on its own throwaway database, so `make bench` runs them as separate processes.
"""

import sys

from . import activities, imports, surveys

BENCHMARKS = {"imports": imports.main, "activities": activities.main, "surveys": surveys.main}

if len(sys.argv) > 1 and sys.argv[1] in BENCHMARKS:
    BENCHMARKS[sys.argv[1]](sys.argv[2:])
else:
    imports.main(sys.argv[1:])
