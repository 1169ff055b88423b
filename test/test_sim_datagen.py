# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Data generation: deterministic per seed, resumable, labels that re-lift to their 3D points."""

import json

import cv2
import numpy as np
import pytest

from robomamba_ros import geometry
from robomamba_ros.sim import categories
from robomamba_ros.sim.datagen import DatagenConfig, read_index, run_datagen, sample_plan

CATS = ('cabinet_door', 'storage_box')


def test_sample_plan_is_round_robin_and_seeded():
    plan = [sample_plan(i, 3, CATS) for i in range(4)]
    assert [c for c, _ in plan] == ['cabinet_door', 'storage_box'] * 2
    assert plan == [sample_plan(i, 3, CATS) for i in range(4)]
    assert plan != [sample_plan(i, 4, CATS) for i in range(4)]
    assert len({s for _, s in plan}) == 4


def test_config_errors_name_the_field(tmp_path):
    with pytest.raises(ValueError, match='num_samples'):
        DatagenConfig(num_samples=0, out_dir=str(tmp_path))
    with pytest.raises(ValueError, match='workers'):
        DatagenConfig(num_samples=1, out_dir=str(tmp_path), workers=0)
    with pytest.raises(ValueError, match='unknown category'):
        DatagenConfig(num_samples=1, out_dir=str(tmp_path), categories=['spaceship'])
    with pytest.raises(ValueError, match='primitive'):
        DatagenConfig(num_samples=1, out_dir=str(tmp_path), primitive='poke')


def test_read_index_skips_a_torn_line(tmp_path):
    (tmp_path / 'index.jsonl').write_text('{"id": 1, "a": 1}\n{"id": 0}\n{"id": 2, "a"')
    assert [r['id'] for r in read_index(tmp_path)] == [0, 1]


@pytest.mark.render
def test_datagen_is_deterministic_resumable_and_relifts(tmp_path):
    a, b = tmp_path / 'a', tmp_path / 'b'
    run_datagen(DatagenConfig(num_samples=2, out_dir=str(a), seed=5, categories=CATS),
                progress=False)
    summary = run_datagen(DatagenConfig(num_samples=3, out_dir=str(a), seed=5, categories=CATS),
                          progress=False)
    assert summary['this_run']['generated'] == 1  # resumed: only sample 2 was missing
    run_datagen(DatagenConfig(num_samples=3, out_dir=str(b), seed=5, categories=CATS),
                progress=False)
    records_a, records_b = read_index(a), read_index(b)
    assert [r['id'] for r in records_a] == [0, 1, 2]
    assert records_a == records_b
    for record in records_a:
        rgb_a = (a / record['rgb']).read_bytes()
        assert rgb_a == (b / record['rgb']).read_bytes()

    for record in records_a:
        assert record['valid'], record
        depth_mm = cv2.imread(str(a / record['depth']), cv2.IMREAD_UNCHANGED)
        assert depth_mm.dtype == np.uint16 and depth_mm.shape == (336, 336)
        K = np.array(record['K']).reshape(3, 3)
        u, v = record['pixel']
        depth_m = geometry.robust_depth(depth_mm, u, v, window=1)
        lifted_cam = geometry.deproject(u, v, depth_m, K)
        np.testing.assert_allclose(lifted_cam, record['point_cam_m'], atol=1e-3)
        T = np.array(record['T_world_camera']).reshape(4, 4)
        np.testing.assert_allclose(geometry.transform_points(T, lifted_cam),
                                   record['point_world_m'], atol=1e-3)
        up, forward = np.array(record['up_cam']), np.array(record['forward_cam'])
        assert np.linalg.norm(up) == pytest.approx(1.0, abs=1e-6)
        assert abs(up @ forward) < 1e-6
        assert up @ np.array(record['normal_cam']) < 0.0  # into the surface
        assert record['category'] in categories.CATEGORIES and record['instruction']

    summary = json.loads((a / 'summary.json').read_text())
    assert summary['samples'] == 3
    assert set(summary['per_category']) == set(CATS)
    assert (a / 'grid.png').is_file()
    manipllm = json.loads((a / 'manipllm_llava.json').read_text())
    assert len(manipllm) == sum(r['success'] for r in records_a)
    for entry in manipllm:
        assert entry['conversations'][0]['value'].startswith('<image>\n')
        assert entry['conversations'][0]['value'].endswith('orientation of pulling the object.')
        assert entry['conversations'][1]['value'].startswith('The contact point at (')
    lang = json.loads((a / 'language_llava.json').read_text())
    assert len(lang) == 3 and len(lang[0]['conversations']) == 10


@pytest.mark.render
@pytest.mark.slow
def test_worker_processes_give_the_same_data(tmp_path):
    one, two = tmp_path / 'one', tmp_path / 'two'
    run_datagen(DatagenConfig(num_samples=4, out_dir=str(one), seed=9, categories=CATS),
                progress=False)
    run_datagen(DatagenConfig(num_samples=4, out_dir=str(two), seed=9, categories=CATS,
                              workers=2), progress=False)
    assert read_index(one) == read_index(two)
    for record in read_index(one):
        assert (one / record['rgb']).read_bytes() == (two / record['rgb']).read_bytes()
