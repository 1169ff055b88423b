# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
r"""
RoboMamba: vision encoder -> projector -> Mamba LM, with a policy head and language answers.

Sequence layout (official inference code): ``[N_vis image tokens] BOS <|user|> {text}\\n ...``.
The policy head pools ``(h[N_vis] + h[last]) / 2``. Poses: the contact pixel is predicted as
(u, v) / input size in model-input coordinates and mapped back to the camera image; up and
forward are unit vectors in the camera optical frame (x right, y down, z forward).
"""

import os

import numpy as np
from safetensors.torch import load_file, save_file
import torch
from torch import nn
from transformers import AutoTokenizer

from robomamba_ros import geometry
from robomamba_ros.models.checkpoint import load_checked, unique_state_dict, WEIGHTS_FILE
from robomamba_ros.models.configuration_robomamba import RoboMambaConfig
from robomamba_ros.models.image_processing import preprocess_image
from robomamba_ros.models.losses import position_loss, rot6d_to_matrix, rotation_geodesic_loss
from robomamba_ros.models.mamba_lm import build_mamba_lm
from robomamba_ros.models.policy_head import build_policy_head
from robomamba_ros.models.projector import Projector
from robomamba_ros.models.prompting import IGNORE_INDEX, manipulation_ids, question_ids
from robomamba_ros.models.vision import build_vision_encoder

CONFIG_FILE = 'config.json'
HEAD_FILE = 'policy_head.safetensors'


class RoboMamba(nn.Module):
    """
    The RoboMamba model and policy.

    :param config: :class:`RoboMambaConfig`.
    :param tokenizer: a transformers tokenizer (loaded from a local folder), or ``None`` for
        tensor-only use.
    :param vision_model: optional preloaded transformers vision model (``hf`` backend).
    :param language_model: optional preloaded :class:`~robomamba_ros.models.mamba_lm.MambaLM`.
    """

    name = 'robomamba'
    config_class = RoboMambaConfig

    def __init__(self, config, tokenizer=None, vision_model=None, language_model=None):
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.vision = build_vision_encoder(config.vision, vision_model)
        self.projector = Projector(
            config.vision.hidden_size, config.projector_hidden_size, config.lm.hidden_size)
        self.lm = language_model if language_model is not None else build_mamba_lm(config.lm)
        self.head = build_policy_head(config.head_type, config.lm.hidden_size, config.lm)

    @property
    def device(self):
        """Device of the parameters."""
        return next(self.parameters()).device

    @property
    def num_vision_tokens(self):
        """Image tokens per image."""
        return self.config.vision.num_patches

    def reset(self):
        """Clear per-episode state (none: each prediction starts from an empty cache)."""

    # ----- building blocks -------------------------------------------------------------------
    def encode_images(self, pixels):
        """Map ``(batch, 3, S, S)`` to projected image tokens ``(batch, N_vis, d)``."""
        return self.projector(self.vision(pixels))

    def embed_sequences(self, pixels, token_ids, has_image=None):
        """
        Put each sample's image tokens before its token embeddings; right-pad the batch.

        :param pixels: ``(num_images, 3, S, S)``, or ``None`` when no sample has an image.
        :param token_ids: list of ``batch`` id lists (each starting with BOS).
        :param has_image: per-sample flags when only some samples have an image (their
            images are ``pixels`` in order); default: every sample has one if ``pixels`` is
            given.
        :return: ``(embeds (batch, T, d), last_index (batch,), num_vision (batch,))``.
        """
        embedding = self.lm.get_input_embeddings()
        if has_image is None:
            has_image = [pixels is not None] * len(token_ids)
        pad = self.config.lm.pad_token_id
        longest = max(len(ids) for ids in token_ids)
        ids = torch.tensor([list(i) + [pad] * (longest - len(i)) for i in token_ids],
                           device=self.device)
        text = embedding(ids)
        if not any(has_image):
            num_vis = torch.zeros(len(token_ids), dtype=torch.long, device=self.device)
            last = torch.tensor([len(i) - 1 for i in token_ids], device=self.device)
            return text, last, num_vis
        images = iter(self.encode_images(pixels).to(text.dtype))
        rows = [torch.cat([next(images), text[row]]) if flag else text[row]
                for row, flag in enumerate(has_image)]
        total = max(r.shape[0] for r in rows)
        pad_row = embedding(torch.tensor([pad], device=self.device))
        embeds = torch.stack([torch.cat([r, pad_row.expand(total - r.shape[0], -1)])
                              for r in rows])
        num_vis = torch.tensor([self.num_vision_tokens if f else 0 for f in has_image],
                               device=self.device)
        last = num_vis + torch.tensor([len(i) - 1 for i in token_ids], device=self.device)
        return embeds, last, num_vis

    def hidden_states(self, embeds):
        """Run the LM backbone: ``(batch, T, d)`` -> final-norm hidden states ``(batch, T, d)``."""
        return self.lm.backbone(inputs_embeds=embeds)

    def pose_outputs(self, pixels, token_ids):
        """Return raw head outputs ``(xy_normalised (batch, 2), rot6d (batch, 6))``."""
        # With everything but the head frozen (stage 2) the backbone needs no autograd graph.
        frozen = not any(p.requires_grad for m in (self.vision, self.projector, self.lm)
                         for p in m.parameters())
        with torch.set_grad_enabled(torch.is_grad_enabled() and not frozen):
            embeds, last, _ = self.embed_sequences(pixels, token_ids)
            hidden = self.hidden_states(embeds)
        return self.head(hidden.float(), self.num_vision_tokens, last)

    # ----- training ----------------------------------------------------------------------------
    def forward(self, batch):
        """
        Compute the training loss of a batch.

        Pose batches have ``pixels``, ``token_ids``, ``target_xy`` (normalised model-input pixel,
        ``(batch, 2)``) and ``target_rotation`` (``(batch, 3, 3)``, columns up, forward,
        up x forward). Language batches have ``pixels`` (or ``None``), ``token_ids``, ``labels``
        (lists, ``IGNORE_INDEX`` outside answers) and optionally ``has_image`` (per sample).

        :param batch: dict as above.
        :return: ``(loss, {name: float})``.
        """
        if 'labels' in batch:
            return self.language_loss(batch['pixels'], batch['token_ids'], batch['labels'],
                                      batch.get('has_image'))
        xy, rot6d = self.pose_outputs(batch['pixels'], batch['token_ids'])
        pos = position_loss(xy, batch['target_xy'])
        rot = rotation_geodesic_loss(rot6d, batch['target_rotation'])
        loss = self.config.position_loss_weight * pos + self.config.rotation_loss_weight * rot
        return loss, {'loss': loss.item(), 'position_loss': pos.item(),
                      'rotation_loss_rad': rot.item()}

    def language_loss(self, pixels, token_ids, labels, has_image=None):
        """Next-token cross entropy on labelled (answer) tokens; returns ``(loss, dict)``."""
        embeds, _, num_vis = self.embed_sequences(pixels, token_ids, has_image)
        total = embeds.shape[1]
        rows = [[IGNORE_INDEX] * n + list(lab) + [IGNORE_INDEX] * (total - n - len(lab))
                for n, lab in zip(num_vis.tolist(), labels)]
        target = torch.tensor(rows, device=self.device)
        out = self.lm(inputs_embeds=embeds, labels=target)
        return out.loss, {'loss': out.loss.item()}

    # ----- inference ---------------------------------------------------------------------------
    def _require_tokenizer(self):
        if self.tokenizer is None:
            raise RuntimeError('this RoboMamba has no tokenizer; load it with from_pretrained '
                               'from a folder holding the tokenizer files')

    @torch.no_grad()
    def predict_pose(self, image, instruction):
        """
        Predict the contact pixel and gripper orientation for one camera image.

        :param image: ``(H, W, 3)`` uint8 RGB camera image.
        :param instruction: the manipulation instruction.
        :return: dict with ``pixel_uv`` (camera image pixel, ROS centre convention),
            ``up`` and ``forward`` (unit vectors, camera optical frame), ``rotation`` (3x3
            gripper frame ``[forward, left, up]`` in the camera optical frame), ``pixel_model``
            (model-input pixel), ``raw_xy`` and ``raw_rot6d`` (head outputs).
        """
        self._require_tokenizer()
        self.eval()
        pixels, transform = preprocess_image(image, self.config.vision)
        ids = manipulation_ids(self.tokenizer, instruction, self.config)
        xy, rot6d = self.pose_outputs(pixels[None].to(self.device), [ids])
        xy, rot6d = xy[0].float().cpu(), rot6d[0].float().cpu()
        frame = rot6d_to_matrix(rot6d).numpy().astype(np.float64)
        up, forward = frame[:, 0], frame[:, 1]
        pixel_model = xy.numpy().astype(np.float64) * self.config.vision.image_size
        return {
            'pixel_uv': transform.to_image(pixel_model), 'pixel_model': pixel_model,
            'up': up, 'forward': forward, 'rotation': geometry.gripper_rotation(up, forward),
            'raw_xy': xy.numpy(), 'raw_rot6d': rot6d.numpy(),
        }

    def select_action(self, observation):
        """Policy API: ``observation`` holds ``image`` and ``instruction``; see predict_pose."""
        return self.predict_pose(observation['image'], observation['instruction'])

    @torch.no_grad()
    def generate(self, image, question, max_new_tokens=64, temperature=0.0, seed=None):
        """
        Decode answer token ids with the recurrent cache (O(1) per token).

        :param image: ``(H, W, 3)`` uint8 RGB image, or ``None`` for a text-only question.
        :param question: the question.
        :param max_new_tokens: decoding budget.
        :param temperature: 0 for greedy decoding, else sampling temperature.
        :param seed: optional seed for sampling.
        :return: the answer's token ids, without the end-of-text token.
        """
        self._require_tokenizer()
        self.eval()
        pixels = None
        if image is not None:
            pixels = preprocess_image(image, self.config.vision)[0][None].to(self.device)
        embeds, _, _ = self.embed_sequences(pixels, [question_ids(self.tokenizer, question,
                                                                  self.config)])
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        # The cache holds the image and the question; each forward advances it by its tokens.
        cache = self.lm.allocate_inference_cache(1)
        out = self.lm(inputs_embeds=embeds, cache=cache)
        tokens = []
        for _ in range(max_new_tokens):
            logits = out.logits[:, -1].float().cpu()
            if temperature > 0:
                probs = torch.softmax(logits / temperature, dim=-1)
                token = int(torch.multinomial(probs, 1, generator=generator))
            else:
                token = int(logits.argmax(-1))
            if token == self.config.lm.eos_token_id:
                break
            tokens.append(token)
            out = self.lm(input_ids=torch.tensor([[token]], device=self.device), cache=cache)
        return tokens

    def answer(self, image, question, max_new_tokens=64, temperature=0.0, seed=None):
        """
        Answer a question about an image: :meth:`generate`, decoded to text.

        :param image: ``(H, W, 3)`` uint8 RGB image, or ``None`` for a text-only question.
        :param question: the question.
        :param max_new_tokens: decoding budget.
        :param temperature: 0 for greedy decoding, else sampling temperature.
        :param seed: optional seed for sampling.
        :return: the decoded answer text.
        """
        tokens = self.generate(image, question, max_new_tokens, temperature, seed)
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip()

    # ----- persistence -------------------------------------------------------------------------
    def save_pretrained(self, folder):
        """Write config.json, model.safetensors, policy_head.safetensors and the tokenizer."""
        os.makedirs(folder, exist_ok=True)
        self.config.save(folder)
        save_file(unique_state_dict(self), os.path.join(folder, WEIGHTS_FILE))
        save_file(unique_state_dict(self.head), os.path.join(folder, HEAD_FILE))
        if self.tokenizer is not None:
            self.tokenizer.save_pretrained(folder)

    def load_head(self, path):
        """Load policy-head weights only (``policy_head.safetensors``) with strict key checks."""
        if not os.path.isfile(path):
            raise FileNotFoundError(f'policy head weights not found: {path}')
        load_checked(self.head, load_file(path), os.path.basename(path))

    @classmethod
    def from_pretrained(cls, folder, tokenizer_path=None, device='cpu'):
        """
        Load a model folder written by :meth:`save_pretrained` (local paths only).

        :param folder: folder with ``config.json`` and ``model.safetensors``.
        :param tokenizer_path: tokenizer folder (default: ``folder`` when it holds one).
        :param device: target device.
        :return: the model in eval mode.
        """
        if not os.path.isdir(folder):
            raise FileNotFoundError(f'model folder not found: {folder}')
        config = RoboMambaConfig.load(folder)
        weights = os.path.join(folder, WEIGHTS_FILE)
        if not os.path.isfile(weights):
            raise FileNotFoundError(f'model weights not found: {weights}')
        tokenizer = load_tokenizer(tokenizer_path or folder, required=tokenizer_path is not None)
        model = cls(config, tokenizer)
        load_checked(model, load_file(weights), WEIGHTS_FILE)
        return model.to(device).eval()


def build_from_components(vision_path, lm_path, tokenizer_path, **config_fields):
    """
    Assemble an untrained RoboMamba from local pretrained parts (stage 1.1's starting point).

    :param vision_path: folder of a transformers CLIP or SigLIP checkpoint.
    :param lm_path: folder of a transformers-format Mamba checkpoint (e.g. a mamba-*-hf copy),
        loaded into :class:`~robomamba_ros.models.mamba_lm.MambaLM` name for name.
    :param tokenizer_path: tokenizer folder (the Mamba checkpoint's GPT-NeoX tokenizer).
    :param config_fields: further :class:`RoboMambaConfig` fields (head_type, loss weights, ...).
    :return: a :class:`RoboMamba` with a fresh projector and head.
    """
    from transformers import AutoConfig, CLIPVisionModel, SiglipVisionModel

    from robomamba_ros.models.configuration_robomamba import VisionConfig
    from robomamba_ros.models.mamba_lm import load_hf_mamba
    from robomamba_ros.models.vision import vision_config_from_hf

    for path in (vision_path, lm_path, tokenizer_path):
        if not os.path.isdir(path):
            raise FileNotFoundError(f'folder not found: {path}')
    vision_type = AutoConfig.from_pretrained(vision_path, local_files_only=True).model_type
    vision_cls = SiglipVisionModel if 'siglip' in vision_type else CLIPVisionModel
    vision = vision_cls.from_pretrained(vision_path, local_files_only=True)
    lm = load_hf_mamba(lm_path)
    tokenizer = load_tokenizer(tokenizer_path)
    config = RoboMambaConfig(vision=vision_config_from_hf(vision, VisionConfig()), lm=lm.config,
                             **config_fields)
    return RoboMamba(config, tokenizer, vision_model=vision,
                     language_model=lm)


def load_tokenizer(folder, required=True):
    """
    Load a tokenizer from a local folder (``tokenizer.json`` and its config).

    :param folder: local folder.
    :param required: raise when the folder has no tokenizer (else return ``None``).
    :return: a transformers tokenizer or ``None``.
    """
    if not os.path.isfile(os.path.join(folder, 'tokenizer.json')):
        if required:
            path = os.path.join(folder, 'tokenizer.json')
            raise FileNotFoundError(f'tokenizer not found: {path}')
        return None
    return AutoTokenizer.from_pretrained(folder, local_files_only=True)


__all__ = [
    'CONFIG_FILE', 'HEAD_FILE', 'RoboMamba', 'build_from_components', 'load_tokenizer',
]
