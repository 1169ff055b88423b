# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Pose errors of a RoboMamba policy on manipulation samples (pixels and degrees)."""

import numpy as np

from robomamba_ros import geometry


def pose_errors(model, dataset, limit=None):
    """
    Compare ``predict_pose`` with the labels of a :class:`ManipulationDataset`.

    :param model: a RoboMamba with a tokenizer.
    :param dataset: manipulation samples.
    :param limit: evaluate at most this many samples (the first ones).
    :return: dict with ``samples``, ``pixel_error_px`` (mean distance in camera-image pixels),
        ``up_error_deg`` (mean angle between approach directions) and ``rotation_error_deg``
        (mean geodesic angle between gripper frames).
    """
    count = len(dataset) if limit is None else min(limit, len(dataset))
    pixel, up_angle, rot_angle = [], [], []
    for index in range(count):
        sample = dataset[index]
        pose = model.predict_pose(sample['image'], sample['instruction'])
        pixel.append(np.linalg.norm(pose['pixel_uv'] - np.asarray(sample['pixel_uv'], float)))
        target = geometry.gripper_rotation(sample['up'], sample['forward'])
        up_angle.append(np.degrees(np.arccos(np.clip(pose['up'] @ target[:, 2], -1.0, 1.0))))
        cos = (np.trace(target.T @ pose['rotation']) - 1.0) / 2.0
        rot_angle.append(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
    return {'samples': count, 'pixel_error_px': float(np.mean(pixel)),
            'up_error_deg': float(np.mean(up_angle)),
            'rotation_error_deg': float(np.mean(rot_angle))}


__all__ = ['pose_errors']
