# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Wall-clock time per stage of recent runs (e.g. ``robomamba_node`` predictions) and medians.

A run is timed by laps: :meth:`LatencyProfile.run` starts the clock and gives a ``lap(stage)``
function that adds the time since the previous lap to ``stage`` (a stage may be lapped several
times in a run); leaving the ``with`` block stores ``total``, the sum of the named stages. The
recent runs are kept as plain dicts of milliseconds, with any extra numbers given at the start.
"""

import collections
import contextlib
import time

import numpy as np

#: Key of the sum of the stages in each run.
TOTAL = 'total'


class LatencyProfile:
    """
    Keep the stage laps of the recent runs.

    :param stages: stage names, in order; ``total`` sums these.
    :param kept: how many recent runs are kept.
    :param clock: seconds counter (e.g. one that waits for a GPU first).
    """

    def __init__(self, stages, kept=1000, clock=time.perf_counter):
        self.stages = tuple(stages)
        self.runs = collections.deque(maxlen=kept)
        self._clock = clock

    @contextlib.contextmanager
    def run(self, **extra):
        """
        Time one run: the ``with`` block gets ``lap(stage)``.

        The run's dict is kept from the start (a refused or failed run counts in the stages it
        lapped); ``total`` is stored when the block ends normally.

        :param extra: numbers stored with the run as they are (e.g. ``frame_age_ms``).
        :return: a context manager giving ``lap(stage)``.
        """
        timing = dict(extra)
        self.runs.append(timing)
        last = [self._clock()]

        def lap(stage):
            now = self._clock()
            timing[stage] = timing.get(stage, 0.0) + 1e3 * (now - last[0])
            last[0] = now

        yield lap
        timing[TOTAL] = sum(timing.get(stage, 0.0) for stage in self.stages)

    def clear(self):
        """Forget the recorded runs (e.g. after warm-up)."""
        self.runs.clear()

    def medians_ms(self, count_key='runs'):
        """
        Return the median of each recorded number over the recent runs.

        :param count_key: key under which the number of runs is returned.
        :return: ``{key: median}``: the extra numbers, the stages in order and ``total``, each
            present when some run has it, and ``count_key``; empty before the first run.
        """
        runs = list(self.runs)  # the newest run may still be lapped by another thread
        named = self.stages + (TOTAL,)
        extras = list(dict.fromkeys(k for t in runs for k in tuple(t) if k not in named))
        medians = {}
        for key in extras + list(named):
            values = [t[key] for t in runs if key in t]
            if values:
                medians[key] = float(np.median(values))
        if runs:
            medians[count_key] = len(runs)
        return medians
