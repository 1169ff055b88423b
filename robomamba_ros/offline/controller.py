# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Drive a trained return-conditioned sequence policy (DMM or DT) from task observations.

Used by ``eval-dmm`` in the simulator and by ``dmm_node`` on a robot; needs torch, not SAPIEN.
"""

import torch

INFERENCE_MODES = ('recurrent', 'window')


class ReturnConditionedController:
    """
    Drive a sequence policy from task observations: normalise, condition, step.

    ``inference='recurrent'`` uses the policy's own ``step`` (the DMM's O(1) update from the
    episode start; the DT's K-window re-forward). ``'window'`` re-forwards the last ``K``
    timesteps with ``predict``, as the official DMM code evaluates, so a DMM sees the same
    context length as in training.

    :param policy: a DMM or DT policy (``reset``, ``step``, ``predict``).
    :param stats: its :class:`~robomamba_ros.offline.processing.TrajectoryStats`.
    :param target_return: return to condition on (default: the dataset's best).
    :param inference: ``'recurrent'`` or ``'window'``.
    """

    def __init__(self, policy, stats, target_return=None, inference='recurrent'):
        if inference not in INFERENCE_MODES:
            raise ValueError(f'inference must be one of {INFERENCE_MODES}, got {inference!r}')
        self.policy, self.stats, self.inference = policy, stats, inference
        self.target_return = stats.target_return if target_return is None else target_return
        self.reset()

    def reset(self):
        """Start a new episode."""
        self.policy.reset()
        self.remaining = self.target_return
        self.history = []

    def observe_reward(self, reward):
        """Subtract the reward just received from the return still to go."""
        self.remaining -= reward

    def __call__(self, observation):
        """
        Return the action for one observation.

        :param observation: task observation, shape (state_dim,).
        :return: action in the task's frame, shape (act_dim,), float32.
        """
        state = torch.from_numpy(self.stats.model_states(observation))[None]
        rtg = torch.tensor([[self.remaining / self.stats.rtg_scale]], dtype=torch.float32)
        if self.inference == 'recurrent':
            action = self.policy.step(rtg, state)[0]
        else:
            context = self.policy.config.context_length
            placeholder = torch.zeros(1, self.policy.config.act_dim)
            self.history = self.history[-(context - 1):] + [[rtg, state, placeholder]]
            rtgs, states, actions = (torch.stack(part, dim=1) for part in zip(*self.history))
            with torch.no_grad():
                action = self.policy.predict(rtgs, states, actions)[0, -1]
            self.history[-1][2] = action[None]
        return self.stats.world_actions(observation, action.cpu().numpy())


__all__ = ['INFERENCE_MODES', 'ReturnConditionedController']
