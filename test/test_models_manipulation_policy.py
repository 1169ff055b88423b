# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""A saved RoboMamba folder loads as a simulator policy by path, as `eval --policy DIR` does."""

import argparse

import numpy as np

from robomamba_ros.models.manipulation_policy import RoboMambaPolicy
from robomamba_ros.sim.policies import load_policy
from robomamba_ros.train.cli import add_train_parser


def test_model_folder_is_a_policy(tmp_path):
    parser = argparse.ArgumentParser()
    add_train_parser(parser.add_subparsers(dest='command'))
    args = parser.parse_args(['train', 'init', '--tiny', '--out', str(tmp_path / 'tiny')])
    assert args.func(args) == 0

    policy = load_policy(str(tmp_path / 'tiny'))
    assert isinstance(policy, RoboMambaPolicy)
    rgb = np.random.default_rng(0).integers(0, 256, (48, 80, 3), dtype=np.uint8)
    depth = np.full((48, 80), 1.0, np.float32)
    K = np.array([[60.0, 0.0, 39.5], [0.0, 60.0, 23.5], [0.0, 0.0, 1.0]])
    pixel, up, forward = policy(rgb, depth, K, 'Pull the drawer open.')
    assert np.shape(pixel) == (2,) and np.all(np.isfinite(pixel))
    assert np.isclose(np.linalg.norm(up), 1.0) and np.isclose(np.linalg.norm(forward), 1.0)
    assert abs(float(np.dot(up, forward))) < 1e-6
    # The same model answers the same image the same way: the policy holds no hidden state.
    again = policy(rgb, depth, K, 'Pull the drawer open.')
    assert np.allclose(pixel, again[0]) and np.allclose(up, again[1])
