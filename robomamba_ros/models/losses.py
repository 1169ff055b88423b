# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Manipulation losses: contact pixel (L1, normalised) and rotation (where2act trace geodesic).

The 6D convention is ``robomamba_ros.geometry.rot6d_to_matrix``'s: ``[a1, a2] = [up, forward]``,
Gram-Schmidt columns ``[b1, b2, b1 x b2]``.
"""

import torch
import torch.nn.functional as F

# where2act clamps the cosine away from +-1 so arccos keeps a finite gradient.
GEODESIC_EPS = 1e-6


def rot6d_to_matrix(x6):
    """
    Gram-Schmidt a 6D output ``(..., 6)`` into rotation matrices ``(..., 3, 3)``, differentiably.

    Columns are ``b1 = a1 / |a1|``, ``b2`` = ``a2`` minus its ``b1`` part, normalised, and
    ``b3 = b1 x b2``, matching ``robomamba_ros.geometry.rot6d_to_matrix``.
    """
    b1 = F.normalize(x6[..., :3], dim=-1)
    a2 = x6[..., 3:]
    b2 = F.normalize(a2 - (b1 * a2).sum(-1, keepdim=True) * b1, dim=-1)
    b3 = torch.cross(b1, b2, dim=-1)
    return torch.stack([b1, b2, b3], dim=-1)


def rotation_geodesic_loss(pred6d, target_rotation):
    """
    Return the mean geodesic angle (rad) between predicted and target rotations (where2act).

    ``arccos(clamp((trace(R_gt^T R_pred) - 1) / 2, -1 + eps, 1 - eps))``, mean over the batch.

    :param pred6d: raw head output ``(batch, 6)`` = (up, forward).
    :param target_rotation: ``(batch, 3, 3)`` built from the label's (up, forward) the same way.
    :return: scalar tensor.
    """
    pred = rot6d_to_matrix(pred6d)
    trace = torch.diagonal(target_rotation.transpose(-1, -2) @ pred, dim1=-2, dim2=-1).sum(-1)
    cos = ((trace - 1.0) / 2.0).clamp(-1.0 + GEODESIC_EPS, 1.0 - GEODESIC_EPS)
    return torch.acos(cos).mean()


def position_loss(pred_xy, target_xy):
    """
    Return the L1 loss between normalised contact pixels.

    The paper does not release the exact form of its position loss; this is L1 on
    (u, v) divided by the model input size, so both coordinates lie in [0, 1].

    :param pred_xy: ``(batch, 2)`` predicted normalised pixel.
    :param target_xy: ``(batch, 2)`` target normalised pixel.
    :return: scalar tensor.
    """
    return F.l1_loss(pred_xy, target_xy)


__all__ = ['GEODESIC_EPS', 'position_loss', 'rot6d_to_matrix', 'rotation_geodesic_loss']
