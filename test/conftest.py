# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Shared test setup: nothing may reach a model hub, and tests find the repository root."""

import os
import pathlib

import pytest

# Set before any test imports transformers or huggingface_hub.
os.environ['HF_HUB_OFFLINE'] = '1'
os.environ['TRANSFORMERS_OFFLINE'] = '1'

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def repo_root():
    return REPO_ROOT
