# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Losses: 6D Gram-Schmidt matches geometry's convention; the geodesic is the rotation angle."""

import math

import numpy as np
import torch

from robomamba_ros import geometry
from robomamba_ros.models.losses import position_loss, rot6d_to_matrix, rotation_geodesic_loss


def test_rot6d_matches_geometry_convention():
    x6 = np.random.default_rng(0).normal(size=(5, 6))
    ours = rot6d_to_matrix(torch.tensor(x6)).numpy()
    np.testing.assert_allclose(ours, geometry.rot6d_to_matrix(x6), atol=1e-12)


def test_geodesic_is_the_angle_between_rotations():
    angle = 0.7
    c, s = math.cos(angle), math.sin(angle)
    rot_z = torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)
    target = torch.eye(3, dtype=torch.float64)[None]
    pred6d = torch.cat([rot_z[:, 0], rot_z[:, 1]])[None]
    assert abs(rotation_geodesic_loss(pred6d, target).item() - angle) < 1e-9


def test_geodesic_gradient_is_finite_at_zero_error():
    pred6d = torch.tensor([[1.0, 0, 0, 0, 1, 0]], requires_grad=True)
    loss = rotation_geodesic_loss(pred6d, torch.eye(3)[None])
    loss.backward()
    assert loss.item() < 1e-2 and torch.isfinite(pred6d.grad).all()


def test_position_loss_is_l1():
    assert position_loss(torch.tensor([[0.2, 0.4]]), torch.tensor([[0.0, 0.0]])).item() == (
        torch.tensor(0.3).item())
