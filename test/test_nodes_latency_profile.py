# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""LatencyProfile alone, on a hand-driven clock: laps, totals, medians, the kept window."""

import pytest

from robomamba_ros.nodes.latency_profile import LatencyProfile


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def wait(self, ms):
        self.now += ms / 1e3


def _profile(kept=1000):
    clock = Clock()
    return LatencyProfile(('a', 'b', 'c'), kept=kept, clock=clock), clock


def test_laps_add_to_their_stage_and_total_sums_the_stages_only():
    profile, clock = _profile()
    with profile.run(age_ms=7.0) as lap:
        clock.wait(2)
        lap('a')
        clock.wait(5)
        lap('b')
        clock.wait(1)
        lap('a')  # a stage lapped again adds up
    (timing,) = profile.runs
    assert timing == pytest.approx({'age_ms': 7.0, 'a': 3.0, 'b': 5.0, 'total': 8.0})


def test_a_failed_run_keeps_the_stages_it_passed_without_a_total():
    profile, clock = _profile()
    with pytest.raises(RuntimeError):
        with profile.run() as lap:
            clock.wait(4)
            lap('a')
            raise RuntimeError('model failed')
    assert list(profile.runs) == [pytest.approx({'a': 4.0})]


def test_medians_per_stage_in_order_with_the_run_count():
    profile, clock = _profile()
    assert profile.medians_ms() == {}
    for a_ms, b_ms in ((1, 10), (3, 20), (2, 60)):
        with profile.run(age_ms=float(a_ms)) as lap:
            clock.wait(a_ms)
            lap('a')
            if b_ms < 50:  # the third run stops after a
                clock.wait(b_ms)
                lap('b')
    medians = profile.medians_ms(count_key='predictions')
    assert list(medians) == ['age_ms', 'a', 'b', 'total', 'predictions']
    assert medians == pytest.approx({'age_ms': 2.0, 'a': 2.0, 'b': 15.0, 'total': 11.0,
                                     'predictions': 3})
    assert profile.medians_ms()['runs'] == 3


def test_only_the_recent_runs_are_kept_and_clear_forgets_them():
    profile, clock = _profile(kept=2)
    for ms in (100, 1, 3):
        with profile.run() as lap:
            clock.wait(ms)
            lap('c')
    assert [t['c'] for t in profile.runs] == pytest.approx([1.0, 3.0])
    assert profile.medians_ms()['c'] == pytest.approx(2.0)
    profile.clear()
    assert profile.medians_ms() == {}
