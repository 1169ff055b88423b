# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The latest-frame approximate synchroniser of robomamba_node, alone."""

import numpy as np
import pytest

from robomamba_ros.nodes.frame_sync import FrameSync

MS = 1_000_000


def _feed(sync, rgb_ns, depth_ns, info_ns, tag):
    formed = [sync.add('rgb', rgb_ns, f'rgb{tag}'), sync.add('depth', depth_ns, f'depth{tag}'),
              sync.add('info', info_ns, f'info{tag}')]
    return any(formed)


def test_a_set_forms_once_every_stream_has_a_message_within_the_slop():
    sync = FrameSync(slop_ns=10 * MS)
    assert sync.add('rgb', 1000 * MS, 'a') is False
    assert sync.add('depth', 1004 * MS, 'b') is False
    assert sync.latest() is None
    assert sync.add('info', 997 * MS, 'c') is True
    frame = sync.latest()
    assert frame.stamp_ns == 1000 * MS  # the reference (colour) stamp
    assert frame['rgb'] == 'a' and frame['depth'] == 'b' and frame['info'] == 'c'
    assert frame.spread_ns == 7 * MS
    assert frame.serial == 1


def test_messages_farther_apart_than_the_slop_never_pair():
    sync = FrameSync(slop_ns=10 * MS)
    assert not _feed(sync, 1000 * MS, 1011 * MS, 1000 * MS, 0)
    assert sync.latest() is None


def test_jittered_streams_keep_only_the_newest_complete_set():
    rng = np.random.default_rng(0)
    sync = FrameSync(slop_ns=10 * MS, queue_size=3)
    serials = []
    for k in range(30):
        t = 1000 * MS + k * 33 * MS
        jitter = rng.integers(-4 * MS, 4 * MS, size=2)
        # Arrival order varies too: depth sometimes before colour.
        if k % 2:
            sync.add('depth', int(t + jitter[0]), k)
            sync.add('rgb', t, k)
        else:
            sync.add('rgb', t, k)
            sync.add('depth', int(t + jitter[0]), k)
        sync.add('info', int(t + jitter[1]), k)
        frame = sync.latest()
        assert frame is not None
        # Every stream's item comes from the same camera frame k.
        assert frame['rgb'] == frame['depth'] == frame['info'] == k
        serials.append(frame.serial)
    assert serials == list(range(1, 31))


def test_the_closest_partner_is_chosen_and_older_messages_cannot_replace_a_newer_set():
    sync = FrameSync(slop_ns=10 * MS)
    sync.add('rgb', 100 * MS, 'rgb100')
    sync.add('rgb', 133 * MS, 'rgb133')
    sync.add('info', 133 * MS, 'info133')
    assert sync.add('depth', 135 * MS, 'depth135')
    assert sync.latest()['rgb'] == 'rgb133'
    # A late depth message of the older frame arrives: the newest set stays.
    assert sync.add('depth', 101 * MS, 'depth101') is False
    assert sync.latest()['rgb'] == 'rgb133' and sync.latest().serial == 1


def test_a_reference_arriving_before_its_partners_ends_with_its_own_partners():
    # A simulator teleports to a new scene between two camera ticks 10 ms apart: the new
    # colour image arrives first and pairs, within the slop, with the previous scene's depth.
    sync = FrameSync(slop_ns=20 * MS)
    _feed(sync, 1000 * MS, 1000 * MS, 1000 * MS, 'old')
    assert sync.add('rgb', 1010 * MS, 'rgbnew')
    assert sync.latest()['depth'] == 'depthold'
    # Its own depth and camera info then replace the older partners.
    assert sync.add('depth', 1010 * MS, 'depthnew')
    assert sync.add('info', 1010 * MS, 'infonew')
    frame = sync.latest()
    assert (frame['rgb'], frame['depth'], frame['info']) == ('rgbnew', 'depthnew', 'infonew')
    assert frame.spread_ns == 0 and frame.serial == 4
    # A set around the same reference that matches worse never replaces a better one.
    assert sync.add('depth', 1025 * MS, 'depthlate') is False
    assert sync.latest()['depth'] == 'depthnew'


def test_time_going_backwards_restarts_synchronisation():
    sync = FrameSync(slop_ns=5 * MS, jump_back_ns=1000 * MS)
    _feed(sync, 10_000 * MS, 10_000 * MS, 10_000 * MS, 'late')
    assert sync.latest()['rgb'] == 'rgblate'
    # A simulation reset: stamps restart near zero.
    assert _feed(sync, 50 * MS, 50 * MS, 50 * MS, 'early')
    assert sync.latest()['rgb'] == 'rgbearly'


def test_without_jump_back_old_stamps_are_ignored():
    sync = FrameSync(slop_ns=5 * MS)
    _feed(sync, 10_000 * MS, 10_000 * MS, 10_000 * MS, 'late')
    assert not _feed(sync, 50 * MS, 50 * MS, 50 * MS, 'early')
    assert sync.latest()['rgb'] == 'rgblate'
    sync.clear()
    assert sync.latest() is None


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match='slop_ns'):
        FrameSync(slop_ns=-1)
    with pytest.raises(ValueError, match='queue_size'):
        FrameSync(queue_size=0)
    with pytest.raises(ValueError, match='distinct'):
        FrameSync(names=('rgb', 'rgb'))
    with pytest.raises(KeyError, match='unknown stream'):
        FrameSync().add('thermal', 0, None)
