# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The one Mamba block: recurrent steps and chunks equal the whole-sequence forward."""

import pytest
import torch

from robomamba_ros.models.mamba_block import cuda_kernels, Mamba, MambaBlock, MambaState


def _mixer(use_conv=True, seed=0, **kwargs):
    torch.manual_seed(seed)
    mixer = Mamba(16, state_size=4, expand=2, conv_kernel=4, use_conv=use_conv, **kwargs)
    with torch.no_grad():  # non-trivial values everywhere, D and A included
        for p in mixer.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return mixer.eval()


def _sequence(length=13, batch=2, seed=1):
    return torch.randn(batch, length, 16, generator=torch.Generator().manual_seed(seed))


def test_parameter_names_are_those_of_mamba_checkpoints():
    names = set(dict(_mixer().named_parameters()))
    assert names == {'in_proj.weight', 'conv1d.weight', 'conv1d.bias', 'x_proj.weight',
                     'dt_proj.weight', 'dt_proj.bias', 'A_log', 'D', 'out_proj.weight'}
    block = MambaBlock(16)
    assert {n.split('.')[0] for n, _ in block.named_parameters()} == {'norm', 'mixer'}


@pytest.mark.parametrize('use_conv', [True, False])
def test_token_by_token_steps_equal_the_full_forward(use_conv):
    mixer, x = _mixer(use_conv), _sequence()
    with torch.no_grad():
        full = mixer(x)
        state = mixer.allocate_inference_cache(2)
        steps = torch.stack([mixer.step(x[:, t], state) for t in range(x.shape[1])], 1)
    assert state.seqlen_offset == x.shape[1]
    torch.testing.assert_close(steps, full, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('use_conv', [True, False])
def test_chunks_continued_from_the_state_equal_the_full_forward(use_conv):
    # Chunks of 2, 3, 1 and 7 tokens: the prefill path with a state, the step path, and the
    # conv1d path (more tokens than the unfolded product takes).
    mixer, x = _mixer(use_conv, seed=2), _sequence(length=25)
    with torch.no_grad():
        full = mixer(x)
        state = mixer.allocate_inference_cache(2)
        bounds = [0, 2, 5, 6, 13, 25]
        parts = [mixer(x[:, a:b], state) for a, b in zip(bounds, bounds[1:])]
    torch.testing.assert_close(torch.cat(parts, 1), full, atol=1e-5, rtol=1e-5)


def test_state_depends_on_history_and_reset_forgets_it():
    mixer, x = _mixer(), _sequence()
    with torch.no_grad():
        fresh = mixer.allocate_inference_cache(2)
        first = mixer.step(x[:, 0], fresh)
        state = mixer.allocate_inference_cache(2)
        mixer(x[:, 1:6], state)
        after_history = mixer.step(x[:, 0], state)
        state.reset()
        again = mixer.step(x[:, 0], state)
    assert (after_history - first).abs().max() > 1e-3
    torch.testing.assert_close(again, first)
    assert state.seqlen_offset == 1


def test_residual_block_steps_equal_its_full_forward():
    torch.manual_seed(3)
    block = MambaBlock(16, state_size=4, conv_kernel=3).eval()
    x = _sequence(length=9)
    with torch.no_grad():
        full = block(x)
        state = block.mixer.allocate_inference_cache(2)
        steps = torch.cat([block(x[:, t:t + 1], state) for t in range(9)], 1)
        manual = x + block.mixer(block.norm(x))
    torch.testing.assert_close(steps, full, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(full, manual)


def test_gradients_reach_every_parameter():
    mixer = _mixer().train()
    mixer(_sequence()).square().sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in mixer.parameters())


def test_cpu_tensors_never_use_cuda_kernels(monkeypatch):
    # Whatever is installed, CPU activations take the torch scan (the kernels are CUDA-only).
    from robomamba_ros.models import mamba_block
    monkeypatch.setattr(mamba_block, 'cuda_kernels', lambda: pytest.fail('kernels looked up'))
    mixer, x = _mixer(), _sequence(length=3)
    with torch.no_grad():
        state = mixer.allocate_inference_cache(2)
        mixer(x, state)
        mixer.step(x[:, 0], state)
    assert isinstance(state, MambaState)


def test_kernel_lookup_is_none_without_mamba_ssm():
    try:
        import mamba_ssm  # noqa: F401
    except ImportError:
        assert cuda_kernels() is None
    else:
        pytest.skip('mamba_ssm is installed: this checks the CPU-only setup')
