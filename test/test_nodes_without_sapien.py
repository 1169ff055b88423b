# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The robot-side nodes and ``replay`` import, build and run without SAPIEN (the ``sim`` extra)."""

import json
import os
import subprocess
import sys

import pytest

# Runs in a fresh interpreter where ``import sapien`` raises ImportError, as on a robot without
# the sim extra. Prints one JSON line with what it saw.
SCRIPT = r"""
import json
import sys

sys.modules['sapien'] = None
try:
    import sapien
    raise SystemExit('sapien is importable: the test cannot hide it')
except ImportError:
    pass

import numpy as np
import torch

from robomamba_ros import geometry
from robomamba_ros.models.configuration_dmm import DMMConfig
from robomamba_ros.models.dmm import DecisionMetaMamba
# robomamba_node loads its policy lazily; that import must work without SAPIEN too.
from robomamba_ros.models.manipulation_policy import load_manipulation_policy
from robomamba_ros.nodes import dmm_node, low_level_executor as lle, replay, robomamba_node
from robomamba_ros.nodes.core import NodeContext
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters
from robomamba_ros.offline.processing import TrajectoryStats
from robomamba_ros.ros import messages
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped
from robomamba_ros.ros.type_source import RosbagsTypes

out = {}
point, up, forward = np.array([0.5, 0.1, 0.3]), np.array([1.0, 0, 0]), np.array([0, 0, 1.0])
R = geometry.gripper_rotation(up, forward)
T_hand = geometry.make_transform(R, point - 0.25 * up)  # robomamba_node's pregrasp pose

# A tiny untrained DMM folder, as train-dmm writes it.
model = sys.argv[1]
torch.manual_seed(0)
low = [-0.4] * 3 + [-1.5] * 3 + [-1.0]
config = DMMConfig(state_dim=23, act_dim=7, hidden_size=16, num_layers=1, window=3, d_state=4,
                   context_length=4, action_low=tuple(low), action_high=tuple(-x for x in low))
DecisionMetaMamba(config).save_pretrained(model)
TrajectoryStats(state_mean=[0.0] * 23, state_std=[0.5] * 23, rtg_scale=10.0,
                target_return=6.0).save(model)

# The nodes' logic does not depend on the ROS distribution: one is enough here.
seen = out['nodes'] = {}
params = load_parameters(dmm_node.DMMNodeParameters, 'dmm_node', [], {})
core = dmm_node.DMMNodeCore(params, NodeContext(types=RosbagsTypes()))
seen['default_executor'] = core.executor.name
observation = lle.build_observation(T_hand, 0.0, point, R, False)
seen['scripted_action'] = core.executor(observation).tolist()

params = load_parameters(dmm_node.DMMNodeParameters, 'dmm_node', [], {
    'executor': 'model', 'model_path': model})
core = dmm_node.DMMNodeCore(params, NodeContext(types=RosbagsTypes()))
seen['model_executor'] = core.executor.name
seen['model_action'] = core.executor(observation).tolist()

# The scripted node in the in-process graph: a target and the hand pose in, a twist out.
graph = InProcessGraph()
graph.add(dmm_node.DMMNodeCore, load_parameters(dmm_node.DMMNodeParameters, 'dmm_node', [], {}))
twists = graph.tap('/dmm_node/twist')
p, q = geometry.matrix_to_pose(geometry.make_transform(R, point))
graph.publish('/robomamba_node/contact_pose', 'geometry_msgs/msg/PoseStamped',
              messages.make_pose_stamped(p, q, 'panda_link0', graph.now_ns, graph.types))
ts = make_transform_stamped(geometry.gripper_pose_to_tcp(T_hand), 'panda_link0',
                            'panda_hand_tcp', graph.now_ns, graph.types)
graph.publish('/tf', 'tf2_msgs/msg/TFMessage', make_tf_message([ts], graph.types))
graph.advance(0.05)
seen['twists'] = [messages.twist_stamped_to_numpy(msg).linear.tolist() for _, msg in twists]

out['robomamba_node_core'] = robomamba_node.RoboMambaNodeCore.node_name
out['replay'] = replay.replay.__name__
out['policy_loader'] = load_manipulation_policy.__name__
out['sapien_hidden'] = sys.modules.get('sapien', 'absent') is None
out['sapien_loaded'] = 'sapien' in sys.modules and sys.modules['sapien'] is not None
out['sim_modules'] = sorted(m for m in sys.modules if m.startswith('robomamba_ros.sim.'))
print(json.dumps(out))
"""


@pytest.fixture(scope='module')
def report(tmp_path_factory):
    model = str(tmp_path_factory.mktemp('dmm') / 'model')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))] +
        [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    result = subprocess.run([sys.executable, '-c', SCRIPT, model], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_imports_sapien(report):
    assert report['sapien_hidden'] and not report['sapien_loaded']
    # The simulator's modules import SAPIEN at import time: none of them may be loaded.
    assert report['sim_modules'] == []
    assert report['robomamba_node_core'] == 'robomamba_node'
    assert report['replay'] == 'replay'  # replaying a robot's bag needs no simulator
    assert report['policy_loader'] == 'load_manipulation_policy'


def test_both_executors_build_and_act(report):
    seen = report['nodes']
    assert seen['default_executor'] == 'scripted' and seen['model_executor'] == 'model'
    for key in ('scripted_action', 'model_action'):
        action = seen[key]
        assert len(action) == 7 and all(abs(a) <= 1.5 + 1e-6 for a in action), (key, action)
    # The hand is 0.15 m behind the pre-contact pose along up = +x: the expert moves along +x.
    assert seen['scripted_action'][0] > 0.1
    assert len(seen['twists']) == 1 and seen['twists'][0][0] > 0.1
