# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Decision Transformer baseline with the Decision MetaMamba interface.

Wraps transformers' ``DecisionTransformerModel`` (GPT-2 over (return-to-go, state, action)
tokens with a timestep embedding). Its :meth:`DecisionTransformerPolicy.step` keeps the last
``K`` timesteps and re-forwards that window every control step, which is how a Decision
Transformer is normally deployed; the cost per step grows with ``K``, not with the episode.
"""


import torch
from torch import nn
from transformers import DecisionTransformerConfig as HFDecisionTransformerConfig
from transformers import DecisionTransformerModel

from robomamba_ros.models.checkpoint import PretrainedMixin
from robomamba_ros.models.configuration_dmm import DecisionTransformerConfig


class DecisionTransformerPolicy(PretrainedMixin, nn.Module):
    """
    Decision Transformer with ``forward() -> (loss, dict)``, ``reset``, ``step``, save/load.

    Batch layout as :class:`~robomamba_ros.models.dmm.DecisionMetaMamba`, plus ``timesteps``
    (B, T) integers (episode step of each row; zeros when absent).

    :param config: a :class:`~robomamba_ros.models.configuration_dmm.DecisionTransformerConfig`.
    """

    config_class = DecisionTransformerConfig
    name = 'dt'

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = DecisionTransformerModel(HFDecisionTransformerConfig(
            state_dim=config.state_dim, act_dim=config.act_dim, hidden_size=config.hidden_size,
            max_ep_len=config.max_episode_length, action_tanh=True,
            n_positions=3 * config.context_length, n_layer=config.num_layers,
            n_head=config.num_heads, n_inner=4 * config.hidden_size,
            resid_pdrop=config.dropout, embd_pdrop=config.dropout, attn_pdrop=config.dropout,
            bos_token_id=None, eos_token_id=None))  # no vocabulary: silences GPT-2's token check
        low = torch.tensor(config.action_low, dtype=torch.float32)
        high = torch.tensor(config.action_high, dtype=torch.float32)
        self.register_buffer('action_center', (high + low) / 2, persistent=False)
        self.register_buffer('action_half_range', (high - low) / 2, persistent=False)
        self.reset()

    @property
    def device(self):
        """Device of the parameters."""
        return self.action_center.device

    def num_parameters(self):
        """Return the number of parameters."""
        return sum(p.numel() for p in self.parameters())

    def predict(self, returns_to_go, states, actions, timesteps=None, mask=None):
        """
        Predict the action of every timestep (T <= context_length).

        :param returns_to_go: (B, T, 1).
        :param states: (B, T, state_dim).
        :param actions: (B, T, act_dim) in action units.
        :param timesteps: (B, T) integers; zeros when None.
        :param mask: (B, T), 1 on real steps.
        :return: (B, T, act_dim) in action units.
        """
        batch, length = states.shape[:2]
        if timesteps is None:
            timesteps = torch.zeros(batch, length, dtype=torch.long, device=states.device)
        timesteps = timesteps.long().clamp(0, self.config.max_episode_length - 1)
        if mask is None:
            mask = torch.ones(batch, length, device=states.device)
        normalised = (actions - self.action_center) / self.action_half_range
        out = self.transformer(states=states, actions=normalised,
                               returns_to_go=returns_to_go, timesteps=timesteps,
                               attention_mask=mask.long(), return_dict=True)
        return out.action_preds * self.action_half_range + self.action_center

    def forward(self, batch):
        """
        Compute the masked mean squared action error, per dimension in half-range units.

        :param batch: dict with ``returns_to_go``, ``states``, ``actions``, optional
            ``timesteps`` and ``mask``.
        :return: ``(loss, {'loss': float})``.
        """
        mask = batch.get('mask')
        predicted = self.predict(batch['returns_to_go'], batch['states'], batch['actions'],
                                 batch.get('timesteps'), mask)
        # In units of the half range, so every action dimension weighs the same.
        error = (((predicted - batch['actions']) / self.action_half_range) ** 2).mean(-1)
        loss = error.mean() if mask is None else (error * mask).sum() / mask.sum().clamp(min=1)
        return loss, {'loss': loss.item()}

    # ----- inference by re-forwarding the last K steps -----------------------------------------
    def reset(self, batch_size=1):
        """
        Start a new episode (empty history).

        :param batch_size: episodes run side by side.
        """
        self._history = []
        self._previous_action = None
        self._timestep = 0

    @torch.no_grad()
    def step(self, returns_to_go, state, previous_action=None):
        """
        Feed one timestep and return its action by re-forwarding the last ``K`` steps.

        :param returns_to_go: scaled return-to-go, (B, 1), (B,) or a float.
        :param state: normalised state, (B, state_dim) or (state_dim,).
        :param previous_action: the action executed at the previous step; default: the one
            this method returned.
        :return: action (B, act_dim) in action units.
        """
        c, device = self.config, self.device
        state = torch.as_tensor(state, dtype=torch.float32, device=device).reshape(
            -1, c.state_dim)
        rtg = torch.as_tensor(returns_to_go, dtype=torch.float32, device=device).reshape(-1, 1)
        if self._history:
            if previous_action is not None:
                self._previous_action = torch.as_tensor(
                    previous_action, dtype=torch.float32, device=device).reshape(-1, c.act_dim)
            self._history[-1] = self._history[-1][:3] + (self._previous_action,)
        placeholder = self.action_center.expand(state.shape[0], c.act_dim)
        timestep = torch.full((state.shape[0],), self._timestep, dtype=torch.long,
                              device=device)
        self._history = self._history[-(c.context_length - 1):] + [
            (rtg, state, timestep, placeholder)]
        self._timestep += 1
        rtgs, states, timesteps, actions = (torch.stack(part, dim=1)
                                            for part in zip(*self._history))
        action = self.predict(rtgs, states, actions, timesteps)[:, -1]
        self._previous_action = action
        return action

    @torch.no_grad()
    def select_action(self, observation):
        """
        Return the next action for ``{'returns_to_go', 'state'}`` (eval mode).

        :param observation: dict with ``returns_to_go`` and ``state``, optional
            ``previous_action``.
        :return: action (B, act_dim).
        """
        self.eval()
        return self.step(observation['returns_to_go'], observation['state'],
                         observation.get('previous_action'))


__all__ = ['DecisionTransformerPolicy']
