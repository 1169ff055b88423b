# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Tests for robomamba_ros.sim.figures: demo captions built from records, size-limited PNGs."""

import cv2
import numpy as np
import pytest

from robomamba_ros.sim.figures import caption_grid, episode_caption, shorten, \
    success_bar_chart, success_counts, write_png_within

_SUCCESS = {
    'episode_index': 0, 'category': 'drawer_cabinet', 'split': 'seen',
    'instruction': 'Grab the drawer of the drawer cabinet and pull it open.',
    'success': True, 'reason': '', 'end': 'opened', 'duration_s': 5.92, 'open_fraction': 0.5123,
    'contact_pixel_uv': [167.4, 231.6], 'goal': 'accepted',
}
_MISSED = {
    'episode_index': 7, 'category': 'refrigerator', 'split': 'seen',
    'instruction': 'Open the lower door of the refrigerator by pulling its long handle towards '
                   'you, slowly and carefully, without touching the shelves inside it.',
    'success': False, 'reason': 'missed movable part', 'end': 'timeout', 'open_fraction': 0.0,
    'contact_pixel_uv': [10.2, 300.0], 'goal': 'refused (workspace)',
}
_NOTHING = {
    'episode_index': 3, 'category': 'kettle', 'instruction': 'Lift the lid.', 'success': False,
    'reason': 'no contact', 'end': 'timeout', 'duration_s': 20.0, 'open_fraction': 0.0,
    'contact_pixel_uv': None, 'goal': 'none',
}


def test_caption_of_a_success():
    assert episode_caption(_SUCCESS) == [
        'episode 0: drawer_cabinet (seen)',
        '"Grab the drawer of the drawer cabinet and',
        'pull it open."',
        'success',
        'ended: opened after 5.9 s, opened 51%',
        'contact (167, 232) px: goal accepted',
    ]


def test_caption_of_a_failure_names_the_reason_and_the_refusal():
    lines = episode_caption(_MISSED)
    assert lines[0] == 'episode 7: refrigerator (seen)'
    # A long instruction keeps two lines and ends in an ellipsis.
    assert lines[1].startswith('"Open the lower door') and lines[2].endswith('...')
    assert lines[3] == 'FAIL: missed movable part'
    assert lines[4] == 'ended: timeout, opened 0%'
    assert lines[5] == 'contact (10, 300) px: refused (workspace)'
    assert all(len(line) <= 42 for line in lines)


def test_caption_without_prediction_and_split_from_the_category():
    lines = episode_caption(_NOTHING)
    assert lines == ['episode 3: kettle (unseen)', '"Lift the lid."', '',
                     'FAIL: no contact', 'ended: timeout after 20.0 s, opened 0%',
                     'no contact predicted']
    refused = dict(_NOTHING, goal='refused (model_error)', contact_pixel_uv=[float('nan'), 1.0])
    assert episode_caption(refused)[5] == 'no contact: refused (model_error)'
    assert episode_caption(dict(_NOTHING, category='safe'))[0] == 'episode 3: safe (unseen)'
    assert episode_caption(dict(_NOTHING, open_fraction=-3e-6))[4].endswith(', opened 0%')


def test_shorten():
    assert shorten('pull  the\ndoor', 20) == 'pull the door'
    assert shorten('pull the refrigerator door open', 20) == 'pull the...'
    assert len(shorten('x' * 50, 10)) == 10


def test_caption_grid_writes_one_tile_per_record(tmp_path):
    records = [_SUCCESS, _MISSED, _NOTHING]
    images = [np.full((336, 336, 3), 200, np.uint8) for _ in records]
    path = caption_grid(images, [episode_caption(r) for r in records],
                        [r['success'] for r in records], tmp_path / 'frames.png', columns=2)
    grid = cv2.imread(str(path))
    assert grid.shape[1] == 2 * 336 + 4 and grid.shape[0] > 2 * 336
    # The success tile is framed green, the failures red (BGR on disk).
    assert tuple(grid[0, 0]) == (40, 140, 20) and tuple(grid[0, 340]) == (30, 30, 200)
    assert caption_grid([], [], [], tmp_path / 'none.png') is None
    with pytest.raises(ValueError, match='one of each'):
        caption_grid(images, [], [], tmp_path / 'bad.png')


def test_pngs_are_downscaled_to_fit_the_size_limit(tmp_path):
    noise = np.random.default_rng(0).integers(0, 256, (600, 800, 3), dtype=np.uint8)
    path, scale = write_png_within(noise, tmp_path / 'noise.png', max_bytes=300_000)
    assert path.stat().st_size <= 300_000 and scale < 1.0
    assert cv2.imread(str(path)).shape[1] == int(800 * scale)
    images = [noise[:336, :336]] * 9
    path = caption_grid(images, [episode_caption(_SUCCESS)] * 9, [True] * 9,
                        tmp_path / 'grid.png', max_bytes=1_000_000)
    assert path.stat().st_size <= 1_000_000


def test_success_bar_chart(tmp_path):
    records = [_SUCCESS, _MISSED, _NOTHING, dict(_SUCCESS, episode_index=9)]
    assert success_counts(records) == {'drawer_cabinet': (2, 2, 'seen'),
                                       'refrigerator': (0, 1, 'seen'),
                                       'kettle': (0, 1, 'unseen')}
    path = success_bar_chart(records, tmp_path / 'success.png')
    assert 1000 < path.stat().st_size <= 1_000_000
    assert cv2.imread(str(path)).shape[2] == 3
    assert success_bar_chart([], tmp_path / 'empty.png') is None
