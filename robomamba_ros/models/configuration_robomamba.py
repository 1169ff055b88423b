# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
RoboMamba configuration: plain dataclasses, no torch import, so nodes can validate them cheaply.

The defaults are a tiny CPU model; :func:`paper_config` gives the published sizes
(CLIP ViT-L/14 at 224 px, projector 1024 -> 4096 -> 2560 -> 2560, Mamba-2.8B).
"""

import dataclasses
import json
import os

VISION_BACKENDS = ('hf', 'open_clip')
VISION_MODEL_TYPES = ('clip', 'siglip')
RESIZE_MODES = ('crop', 'pad')
LM_ARCHITECTURES = ('mamba',)
HEAD_TYPES = ('two_mlp', 'mlp', 'ssm+mlp')
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def _check_positive(owner, **fields):
    for name, value in fields.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f'{owner}.{name} must be an integer >= 1, got {value!r}')


def _check_choice(owner, name, value, allowed):
    if value not in allowed:
        raise ValueError(f'{owner}.{name} must be one of {allowed}, got {value!r}')


@dataclasses.dataclass
class VisionConfig:
    """
    Vision encoder.

    :param backend: ``'hf'`` (transformers) or ``'open_clip'`` (CUDA machines; imported only
        when selected).
    :param model_type: ``'clip'`` or ``'siglip'`` for the ``hf`` backend.
    :param image_size: model input side in pixels (square).
    :param patch_size: ViT patch side in pixels; ``(image_size / patch_size)^2`` image tokens.
    :param hidden_size: ViT width; the projector's input width.
    :param num_layers: ViT blocks; features come from the second-to-last one.
    :param num_heads: attention heads.
    :param intermediate_size: ViT MLP width.
    :param open_clip_name: model name for the ``open_clip`` backend.
    :param open_clip_weights: local weights file for the ``open_clip`` backend (``None``: random
        init, e.g. when the weights come from a RoboMamba checkpoint).
    :param resize_mode: ``'crop'`` (shorter side to ``image_size``, centre crop, as CLIP) or
        ``'pad'`` (longer side to ``image_size``, centred on a mean-colour canvas).
    :param mean: per-channel normalisation mean (RGB in [0, 1]).
    :param std: per-channel normalisation standard deviation.
    """

    backend: str = 'hf'
    model_type: str = 'clip'
    image_size: int = 32
    patch_size: int = 8
    hidden_size: int = 32
    num_layers: int = 3
    num_heads: int = 2
    intermediate_size: int = 64
    open_clip_name: str = 'ViT-L-14'
    open_clip_weights: str = None
    resize_mode: str = 'crop'
    mean: tuple = CLIP_MEAN
    std: tuple = CLIP_STD

    def __post_init__(self):
        _check_choice('vision', 'backend', self.backend, VISION_BACKENDS)
        _check_choice('vision', 'model_type', self.model_type, VISION_MODEL_TYPES)
        _check_choice('vision', 'resize_mode', self.resize_mode, RESIZE_MODES)
        _check_positive('vision', image_size=self.image_size, patch_size=self.patch_size,
                        hidden_size=self.hidden_size, num_heads=self.num_heads,
                        intermediate_size=self.intermediate_size)
        if not isinstance(self.num_layers, int) or self.num_layers < 2:
            raise ValueError(
                f'vision.num_layers must be an integer >= 2 (features come from the '
                f'second-to-last block), got {self.num_layers!r}')
        if self.image_size % self.patch_size:
            raise ValueError(
                f'vision.image_size ({self.image_size}) must be a multiple of vision.patch_size '
                f'({self.patch_size})')
        self.mean, self.std = tuple(self.mean), tuple(self.std)
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ValueError(
                f'vision.mean and vision.std need 3 values, std > 0; got {self.mean}, {self.std}')

    @property
    def num_patches(self):
        """Image tokens per image."""
        return (self.image_size // self.patch_size) ** 2


@dataclasses.dataclass
class LanguageModelConfig:
    """
    Mamba language model (:class:`~robomamba_ros.models.mamba_lm.MambaLM`, ``mamba-*-hf`` layout).

    :param architecture: ``'mamba'`` (Mamba-1, as the paper; the only one).
    :param vocab_size: tokenizer vocabulary size (embedding rows).
    :param hidden_size: model width ``d`` (2560 for Mamba-2.8B).
    :param num_layers: Mamba blocks.
    :param state_size: SSM state size N.
    :param expand: inner width factor.
    :param conv_kernel: causal convolution width.
    :param pad_token_id: padding token id.
    :param bos_token_id: beginning-of-sequence token id (prepended before the image tokens).
    :param eos_token_id: end-of-text token id (stops decoding).
    :param tie_embeddings: share input embeddings and output head.
    :param dt_rank: rank of the time-step projection; ``None`` means ``ceil(hidden_size / 16)``
        (transformers' ``time_step_rank='auto'``).
    :param norm_eps: RMSNorm epsilon (transformers' ``layer_norm_epsilon``).
    """

    architecture: str = 'mamba'
    vocab_size: int = 64
    hidden_size: int = 64
    num_layers: int = 2
    state_size: int = 16
    expand: int = 2
    conv_kernel: int = 4
    pad_token_id: int = 0
    bos_token_id: int = 1
    eos_token_id: int = 2
    tie_embeddings: bool = True
    dt_rank: int = None
    norm_eps: float = 1e-5

    def __post_init__(self):
        _check_choice('lm', 'architecture', self.architecture, LM_ARCHITECTURES)
        _check_positive('lm', vocab_size=self.vocab_size, hidden_size=self.hidden_size,
                        num_layers=self.num_layers, state_size=self.state_size,
                        expand=self.expand, conv_kernel=self.conv_kernel)
        if self.dt_rank is not None:
            _check_positive('lm', dt_rank=self.dt_rank)
        if not isinstance(self.norm_eps, (int, float)) or isinstance(self.norm_eps, bool) or \
                not 0 < self.norm_eps < 1:
            raise ValueError(f'lm.norm_eps must be a number in (0, 1), got {self.norm_eps!r}')
        for name in ('pad_token_id', 'bos_token_id', 'eos_token_id'):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value < self.vocab_size:
                raise ValueError(
                    f'lm.{name} must be an integer in [0, {self.vocab_size}), got {value!r}')


@dataclasses.dataclass
class RoboMambaConfig:
    """
    Whole RoboMamba model.

    :param vision: the vision encoder.
    :param lm: the Mamba language model.
    :param projector_hidden_size: first projector width; ``None`` means 4x the vision width
        (1024 -> 4096 in the paper).
    :param head_type: policy head: ``'two_mlp'`` (official), ``'mlp'`` or ``'ssm+mlp'``.
    :param position_loss_weight: weight of the L1 contact-pixel loss.
    :param rotation_loss_weight: weight of the geodesic rotation loss.
    :param user_tag: prompt prefix (``'<|user|>'``).
    :param assistant_tag: answer prefix (``'<|assistant|>'``).
    """

    vision: VisionConfig = dataclasses.field(default_factory=VisionConfig)
    lm: LanguageModelConfig = dataclasses.field(default_factory=LanguageModelConfig)
    projector_hidden_size: int = None
    head_type: str = 'two_mlp'
    position_loss_weight: float = 1.0
    rotation_loss_weight: float = 1.0
    user_tag: str = '<|user|>'
    assistant_tag: str = '<|assistant|>'

    def __post_init__(self):
        if isinstance(self.vision, dict):
            self.vision = _from_dict(VisionConfig, self.vision, 'vision')
        if isinstance(self.lm, dict):
            self.lm = _from_dict(LanguageModelConfig, self.lm, 'lm')
        if self.projector_hidden_size is None:
            self.projector_hidden_size = 4 * self.vision.hidden_size
        _check_positive('config', projector_hidden_size=self.projector_hidden_size)
        _check_choice('config', 'head_type', self.head_type, HEAD_TYPES)
        if self.lm.hidden_size < 4:
            raise ValueError(
                f'lm.hidden_size must be >= 4 for the d -> d/2 -> d/4 head, '
                f'got {self.lm.hidden_size}')
        for name in ('position_loss_weight', 'rotation_loss_weight'):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f'config.{name} must be a number >= 0, got {value!r}')

    def to_dict(self):
        """Return a JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        """Build from a dict; unknown keys raise, naming them."""
        return _from_dict(cls, data, 'config')

    def save(self, folder):
        """Write ``config.json`` into ``folder``."""
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 'config.json'), 'w', encoding='utf-8') as f:
            json.dump(self.to_dict(), f, indent=2)

    @classmethod
    def load(cls, folder):
        """Read ``config.json`` from ``folder``."""
        path = os.path.join(folder, 'config.json')
        if not os.path.isfile(path):
            raise FileNotFoundError(f'RoboMamba config not found: {path}')
        with open(path, encoding='utf-8') as f:
            return cls.from_dict(json.load(f))


def _from_dict(cls, data, owner):
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f'{owner}: unknown fields {unknown}; allowed: {sorted(names)}')
    return cls(**data)


def paper_config(vocab_size=50280):
    """
    Return the published RoboMamba sizes (CLIP ViT-L/14-224, Mamba-2.8B, GPT-NeoX vocabulary).

    :param vocab_size: embedding rows of the Mamba checkpoint (50280 for state-spaces/mamba-*-hf).
    :return: a :class:`RoboMambaConfig`.
    """
    return RoboMambaConfig(
        vision=VisionConfig(image_size=224, patch_size=14, hidden_size=1024, num_layers=24,
                            num_heads=16, intermediate_size=4096),
        lm=LanguageModelConfig(vocab_size=vocab_size, hidden_size=2560, num_layers=64,
                               pad_token_id=0, bos_token_id=0, eos_token_id=0),
        projector_hidden_size=4096)


__all__ = [
    'HEAD_TYPES', 'LM_ARCHITECTURES', 'LanguageModelConfig', 'RESIZE_MODES', 'RoboMambaConfig',
    'VISION_BACKENDS', 'VisionConfig', 'paper_config',
]
