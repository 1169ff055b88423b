# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Shared test setup: nothing may reach a model hub, and tests find the repository root.

Also the ROS distributions the message tests run on and message helpers that several test files
use (``from conftest import ...``).
"""

import os
import pathlib
import sys

import numpy as np
import pytest

from robomamba_ros.ros.messages import IMAGE_ENCODINGS, make_header

# Set before any test imports transformers or huggingface_hub.
os.environ['HF_HUB_OFFLINE'] = '1'
os.environ['TRANSFORMERS_OFFLINE'] = '1'

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

#: The ROS distributions whose type definitions the tests cover. Tests of message bytes, type
#: definitions and bags run on each; node logic, which does not depend on the distribution, runs
#: on ``DISTROS[0]`` (the in-process graph's default).
DISTROS = ('humble', 'jazzy')


def cdr_round_trip(types, msg):
    """
    Serialise a message to CDR and back, as a subscriber on the other side would see it.

    :param types: the type source that built ``msg``.
    :param msg: a message of that type source.
    :return: the deserialised message.
    """
    type_name = msg.__msgtype__
    return types.deserialize(types.serialize(msg, type_name), type_name)


def image_msg(types, pixels, encoding, step=None, is_bigendian=False, stamp_ns=0, frame_id=''):
    """
    Build a ``sensor_msgs/Image`` field by field, with padded rows or big-endian pixels.

    ``numpy_to_image`` writes packed little-endian rows only; cameras and other publishers may
    send either. Padding bytes are zero.

    :param types: type source.
    :param pixels: ``(H, W)`` or ``(H, W, C)`` array of the encoding's dtype.
    :param encoding: one of ``IMAGE_ENCODINGS``.
    :param step: bytes per row, at least one row; default: one row.
    :param is_bigendian: store multi-byte pixels big-endian.
    :param stamp_ns: header stamp (ns).
    :param frame_id: header frame.
    :return: the Image message.
    """
    dtype, _ = IMAGE_ENCODINGS[encoding]
    height, width = pixels.shape[:2]
    rows = pixels.astype(dtype.newbyteorder('>' if is_bigendian else '<')).reshape(height, -1)
    rows = rows.view(np.uint8)
    step = rows.shape[1] if step is None else step
    data = np.zeros((height, step), np.uint8)
    data[:, :rows.shape[1]] = rows
    return types.new('sensor_msgs/msg/Image', header=make_header(frame_id, stamp_ns, types),
                     height=height, width=width, encoding=encoding,
                     is_bigendian=int(is_bigendian), step=step,
                     data=types.uint8_array(data.reshape(-1)))


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
