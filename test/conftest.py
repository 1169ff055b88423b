# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Shared test setup: nothing may reach a model hub, and tests find the repository root."""

import os
import pathlib
import sys

import pytest

# Set before any test imports transformers or huggingface_hub.
os.environ['HF_HUB_OFFLINE'] = '1'
os.environ['TRANSFORMERS_OFFLINE'] = '1'

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT


@pytest.fixture(autouse=True, scope='module')
def one_torch_thread(request):
    """
    Run torch tests on one intra-op thread.

    Tiny tensors gain nothing from intra-op threads, and on a CPU shared with other jobs the
    threads' barriers stall each small op (measured: 18 s vs 250 s for the training stage tests).
    """
    torch = sys.modules.get('torch')
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
