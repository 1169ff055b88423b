# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""A RoboMamba model folder as a manipulation policy for the simulator's evaluation."""

from robomamba_ros.models.robomamba import RoboMamba


class RoboMambaPolicy:
    """
    Adapt :meth:`RoboMamba.predict_pose` to ``policy(rgb, depth, K, instruction)``.

    The model sees only the RGB image and the instruction; depth and K are used downstream to
    lift the predicted pixel, as on the robot.

    :param model: a loaded :class:`RoboMamba` with its tokenizer.
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, rgb, depth, K, instruction):
        """
        Predict a contact pixel and gripper axes.

        :param rgb: ``(H, W, 3)`` uint8 camera image.
        :param depth: ``(H, W)`` depth in metres (unused by the model).
        :param K: ``(3, 3)`` intrinsics (unused by the model).
        :param instruction: the manipulation instruction.
        :return: ``(pixel_uv, up, forward)``: pixel in ROS convention, unit vectors in the camera
            optical frame.
        """
        pose = self.model.predict_pose(rgb, instruction)
        return pose['pixel_uv'], pose['up'], pose['forward']


def load_manipulation_policy(path, device='cpu'):
    """
    Load a RoboMamba folder (local path only) as a policy.

    :param path: folder written by ``save_pretrained``, with its tokenizer files.
    :param device: torch device.
    :return: a :class:`RoboMambaPolicy`.
    """
    return RoboMambaPolicy(RoboMamba.from_pretrained(str(path), device=device))


__all__ = ['RoboMambaPolicy', 'load_manipulation_policy']
