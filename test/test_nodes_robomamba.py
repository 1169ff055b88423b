# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
robomamba_node core: synchronisation, prediction, safety refusals, goal streaming, config.

Most tests run the core in the in-process graph with real rosbags messages: camera messages and
TF go in through the graph, outputs come back through taps after a CDR round trip. The node's
logic does not depend on the ROS distribution, so the tests run on one; the test that sends and
receives every message type runs on each of ``DISTROS``. The pose source is a small
deterministic policy callable; one test loads a tiny random RoboMamba folder. The goal stream and
the stage timings have their own unit tests (``test_nodes_goal_stream.py``,
``test_nodes_latency_profile.py``).
"""

import dataclasses
import logging
import math
import time

from conftest import DISTROS, REPO_ROOT
import numpy as np
import pytest
import yaml

from robomamba_ros import geometry
from robomamba_ros.nodes.core import IN, NodeContext, OUT, TransformSource, \
    TransformUnavailable
from robomamba_ros.nodes.goal_safety import REASONS
from robomamba_ros.nodes.in_process import InProcessGraph
from robomamba_ros.nodes.parameters import load_parameters, parameter_fields
from robomamba_ros.nodes.qos import COMMAND, LATCHED, SENSOR
from robomamba_ros.nodes.robomamba_node import RoboMambaNodeCore, RoboMambaNodeParameters, \
    STAGES
from robomamba_ros.ros import messages
from robomamba_ros.ros.tf_messages import make_tf_message, make_transform_stamped
from robomamba_ros.ros.type_source import RosbagsTypes

CONFIG = REPO_ROOT / 'config' / 'robomamba.yaml'
BASE, CAM, TCP = 'panda_link0', 'camera_color_optical_frame', 'panda_hand_tcp'
NODE = '/robomamba_node'
GOAL = '/robomamba/goal_pose'
MS = 1_000_000
W, H = 64, 48
K = np.array([[50.0, 0.0, (W - 1) / 2], [0.0, 50.0, (H - 1) / 2], [0.0, 0.0, 1.0]])
# Camera 0.5 m above a table point, looking straight down (optical z = -z of the base).
T_BASE_CAM = geometry.make_transform(
    np.array([[0.0, -1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, -1.0]]), [0.5, 0.0, 0.6])
PLANE_DEPTH_M = 0.5
# The policy's default answer: the image centre, approach along the optical axis.
CENTRE = ((W - 1) / 2, (H - 1) / 2)
UP_CAM, FORWARD_CAM = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
CONTACT = np.array([0.5, 0.0, 0.1])          # base frame
PREGRASP = CONTACT + 0.15 * np.array([0.0, 0.0, 1.0])  # 0.15 m back along up (= -z base)
R_TARGET = T_BASE_CAM[:3, :3] @ geometry.gripper_rotation(UP_CAM, FORWARD_CAM)
# Where the TCP starts: above, turned 0.4 rad about the vertical from the target orientation.
T_BASE_TCP = geometry.make_transform(
    geometry.quat_xyzw_to_matrix([0.0, 0.0, math.sin(0.2), math.cos(0.2)]) @ R_TARGET,
    [0.4, 0.05, 0.45])


class FixedPolicy:
    """A deterministic pose source that records what it was given."""

    def __init__(self, pixel=CENTRE, up=UP_CAM, forward=FORWARD_CAM, error=None):
        self.pixel, self.up, self.forward, self.error = pixel, up, forward, error
        self.calls = []

    def __call__(self, rgb, depth, K, instruction):
        self.calls.append({'rgb': rgb, 'depth': depth, 'K': K, 'instruction': instruction})
        if self.error is not None:
            raise self.error
        return self.pixel, self.up, self.forward


def _params(**overrides):
    return load_parameters(RoboMambaNodeParameters, 'robomamba_node', [CONFIG], overrides)


class Rig:
    """A graph with a robomamba_node fed like a RealSense and a Franka would feed it."""

    def __init__(self, policy=None, answerer=None, static_camera=True, distro=DISTROS[0],
                 **overrides):
        self.graph = InProcessGraph(distro=distro)
        self.types = self.graph.types
        self.policy = policy or FixedPolicy()
        self.params = _params(**overrides)
        # A model_path override loads that model instead of the policy.
        pose_source = None if 'model_path' in overrides else self.policy
        self.core = self.graph.add(RoboMambaNodeCore, self.params, pose_source=pose_source,
                                   answerer=answerer)
        self.contact = self.graph.tap(f'{NODE}/contact_pose')
        self.pregrasp = self.graph.tap(f'{NODE}/pregrasp_pose')
        self.markers = self.graph.tap(f'{NODE}/markers')
        self.debug = self.graph.tap(f'{NODE}/debug_image')
        self.answers = self.graph.tap(f'{NODE}/answer')
        self.goals = self.graph.tap(GOAL)
        self.diagnostics = self.graph.tap('/diagnostics')
        if static_camera:
            self.camera_tf(stamp_ns=0)

    @property
    def now(self):
        return self.graph.now_ns

    def _tf(self, T, child, stamp_ns):
        static = stamp_ns == 0
        ts = make_transform_stamped(T, BASE, child, stamp_ns, self.types)
        self.graph.publish('/tf_static' if static else '/tf', 'tf2_msgs/msg/TFMessage',
                           make_tf_message([ts], self.types), LATCHED if static else SENSOR)

    def camera_tf(self, stamp_ns=None):
        self._tf(T_BASE_CAM, CAM, self.now if stamp_ns is None else stamp_ns)

    def tcp_tf(self, T=T_BASE_TCP, stamp_ns=None):
        self._tf(T, TCP, self.now if stamp_ns is None else stamp_ns)

    def frame(self, stamp_ns=None, depth=None, rgb=None, jitter_ns=(0, 0), encoding='32FC1',
              parts=('rgb', 'depth', 'info')):
        stamp = self.now if stamp_ns is None else stamp_ns
        if rgb is None:
            rgb = np.full((H, W, 3), 90, np.uint8)
        if depth is None:
            depth = np.full((H, W), PLANE_DEPTH_M, np.float32)
        if encoding == '16UC1':
            depth = np.nan_to_num(depth * 1000.0, nan=0.0).astype(np.uint16)
        if 'rgb' in parts:
            self.graph.publish('/camera/camera/color/image_raw', 'sensor_msgs/msg/Image',
                               messages.numpy_to_image(rgb, 'rgb8', self.types, stamp, CAM),
                               SENSOR)
        if 'depth' in parts:
            self.graph.publish(
                '/camera/camera/aligned_depth_to_color/image_raw', 'sensor_msgs/msg/Image',
                messages.numpy_to_image(depth, encoding, self.types, stamp + jitter_ns[0], CAM),
                SENSOR)
        if 'info' in parts:
            self.graph.publish(
                '/camera/camera/color/camera_info', 'sensor_msgs/msg/CameraInfo',
                messages.make_camera_info(K, W, H, self.types, CAM, stamp + jitter_ns[1]),
                SENSOR)

    def instruct(self, text='Pull the drawer open.'):
        self.graph.publish('/robomamba/instruction', 'std_msgs/msg/String',
                           messages.make_string(text, self.types), LATCHED)

    def ask(self, text):
        self.graph.publish(f'{NODE}/question', 'std_msgs/msg/String',
                           messages.make_string(text, self.types))

    def predict(self, seconds=0.06, text='Pull the drawer open.', tcp=T_BASE_TCP, **frame):
        """Send the TCP pose (unless ``tcp`` is None), a camera frame and an instruction; run."""
        if tcp is not None:
            self.tcp_tf(tcp)
        self.frame(**frame)
        self.instruct(text)
        self.graph.advance(seconds)

    def counts(self):
        status = self.diagnostics[-1][1].status[0]
        return {kv.key: kv.value for kv in status.values}, status


def _pose(msg):
    data = messages.pose_stamped_to_numpy(msg)
    return data.position, data.quat_xyzw, data.frame_id


def _assert_refused(rig, reason, count='1'):
    counts, status = rig.counts()
    assert counts[reason] == count, counts
    assert status.level == status.WARN and reason in status.message
    assert not rig.contact and not rig.pregrasp and not rig.markers


# ----- happy path -----------------------------------------------------------------------------


@pytest.mark.parametrize('distro', DISTROS)
def test_instruction_gives_contact_pregrasp_markers_debug_image_and_a_goal_stream(distro):
    rig = Rig(distro=distro)
    rig.tcp_tf()
    rig.frame()
    rig.instruct()
    assert not rig.policy.calls  # intake only stores: inference waits for its timer
    rig.graph.advance(0.06)
    assert len(rig.policy.calls) == 1
    call = rig.policy.calls[0]
    assert call['instruction'] == 'Pull the drawer open.'
    assert call['rgb'].shape == (H, W, 3) and call['depth'].shape == (H, W)
    assert np.allclose(call['K'], K)

    assert len(rig.contact) == 1 and len(rig.pregrasp) == 1 and len(rig.markers) == 1
    position, quat, frame_id = _pose(rig.contact[0][1])
    assert frame_id == BASE
    assert position == pytest.approx(CONTACT, abs=1e-6)
    R = geometry.quat_xyzw_to_matrix(quat)
    assert np.allclose(R, R_TARGET, atol=1e-6)
    assert R[:, 2] == pytest.approx([0.0, 0.0, -1.0])  # approach straight down
    position, quat_pre, _ = _pose(rig.pregrasp[0][1])
    assert position == pytest.approx(PREGRASP, abs=1e-6) and np.allclose(quat_pre, quat)
    sphere = rig.markers[0][1].markers[0]
    assert sphere.header.frame_id == BASE and len(rig.markers[0][1].markers) == 4
    image = messages.image_to_rgb(rig.debug[0][1])
    assert image.shape == (H, W, 3) and (image != 90).any()  # annotated
    counts, status = rig.counts()
    assert status.level == status.OK and counts['accepted'] == '1'

    # The goal stream starts at the TCP and walks to the pregrasp pose in bounded steps.
    rig.graph.advance(3.0)
    goals = [_pose(m) for _, m in rig.goals]
    assert len(goals) >= 100 and all(g[2] == BASE for g in goals)
    start_p, start_q = geometry.matrix_to_pose(T_BASE_TCP)
    previous = (start_p, start_q)
    for position, quat, _ in goals:
        assert np.linalg.norm(position - previous[0]) <= rig.params.max_goal_step_m + 1e-9
        assert geometry.quat_angle(previous[1], quat) <= rig.params.max_goal_step_rad + 1e-6
        previous = (position, quat)
    assert goals[-1][0] == pytest.approx(PREGRASP, abs=1e-6)
    assert geometry.quat_angle(goals[-1][1], quat_pre) < 1e-6
    # Streamed at goal_rate_hz, also once the target is reached.
    stamps = [t for t, _ in rig.goals]
    assert np.diff(stamps).max() == pytest.approx(1e9 / rig.params.goal_rate_hz)
    # One instruction, one prediction.
    assert len(rig.policy.calls) == 1


@pytest.mark.parametrize('symmetric', [True, False])
def test_a_symmetric_gripper_takes_the_half_turn_nearer_the_end_effector(symmetric):
    # The TCP is turned 2.5 rad about the approach axis from the prediction: the half turn is
    # 0.64 rad away, the prediction itself 2.5 rad.
    turned = R_TARGET @ geometry.axis_angle_to_matrix(np.array([0.0, 0.0, 2.5]))
    rig = Rig(symmetric_gripper=symmetric)
    rig.predict(seconds=3.0, tcp=geometry.make_transform(turned, [0.4, 0.05, 0.45]))
    expected = R_TARGET @ np.diag([-1.0, -1.0, 1.0]) if symmetric else R_TARGET
    for poses in (rig.contact, rig.pregrasp):
        position, quat, _ = _pose(poses[-1][1])
        np.testing.assert_allclose(geometry.quat_xyzw_to_matrix(quat), expected, atol=1e-6)
    np.testing.assert_allclose(_pose(rig.pregrasp[-1][1])[0], PREGRASP, atol=1e-6)
    goal = geometry.quat_xyzw_to_matrix(_pose(rig.goals[-1][1])[1])
    np.testing.assert_allclose(goal, expected, atol=1e-6)


def test_jittered_stamps_are_synchronised_and_the_newest_frame_is_used():
    rig = Rig(sync_slop_s=0.01)
    rig.tcp_tf()
    rig.graph.advance(0.1)
    first = rig.now
    rig.frame(stamp_ns=first, rgb=np.full((H, W, 3), 10, np.uint8), jitter_ns=(4 * MS, -3 * MS))
    rig.graph.advance(0.033)
    rig.frame(stamp_ns=first + 33 * MS, rgb=np.full((H, W, 3), 20, np.uint8),
              jitter_ns=(-4 * MS, 5 * MS))
    rig.instruct()
    rig.graph.advance(0.05)
    assert len(rig.policy.calls) == 1
    assert (rig.policy.calls[0]['rgb'] == 20).all()  # the newer of the two frames
    assert len(rig.contact) == 1


def test_streams_farther_apart_than_the_slop_wait_for_a_matching_frame():
    rig = Rig(sync_slop_s=0.01)
    rig.tcp_tf()
    rig.instruct()  # before any frame: the request waits
    rig.frame(jitter_ns=(25 * MS, 0))
    rig.graph.advance(0.2)
    assert not rig.policy.calls and not rig.contact
    rig.frame(jitter_ns=(2 * MS, -2 * MS))
    rig.graph.advance(0.05)
    assert len(rig.policy.calls) == 1 and len(rig.contact) == 1


def test_a_new_scene_is_lifted_with_its_own_depth_not_the_previous_frames():
    # A simulator teleports to a new scene between two camera frames 10 ms apart (within the
    # slop): the new colour image arrives before its depth and first pairs with the old one.
    rig = Rig(sync_slop_s=0.02)
    rig.tcp_tf()
    old = rig.now
    rig.frame(stamp_ns=old, depth=np.full((H, W), 0.3, np.float32))
    rig.graph.advance(0.01)
    rig.frame(rgb=np.full((H, W, 3), 20, np.uint8))  # colour, depth, info of the new scene
    rig.instruct()
    rig.graph.advance(0.05)
    assert len(rig.policy.calls) == 1
    call = rig.policy.calls[0]
    assert (call['rgb'] == 20).all() and np.all(call['depth'] == PLANE_DEPTH_M)
    position, _, _ = _pose(rig.contact[0][1])
    np.testing.assert_allclose(position, CONTACT, atol=1e-6)
    assert rig.core.last_result['frame_stamp_ns'] == old + 10 * MS


def test_a_new_instruction_waits_briefly_for_a_frame_of_the_new_scene():
    rig = Rig(instruction_frame_wait_s=0.25)
    rig.tcp_tf()
    old = rig.now
    rig.frame()  # the scene before a reset
    rig.graph.advance(0.02)
    rig.instruct()
    rig.graph.advance(0.1)
    assert not rig.contact  # waiting: the only frame is older than the instruction
    rig.frame()  # the new scene's first frame
    rig.graph.advance(0.06)
    assert len(rig.contact) == 1 and rig.core.last_result['frame_stamp_ns'] > old
    # No newer frame within the wait: the newest one is taken after all.
    rig.graph.advance(0.05)
    rig.instruct('Open the door.')
    rig.graph.advance(0.2)
    assert len(rig.contact) == 1
    rig.graph.advance(0.1)
    assert len(rig.contact) == 2


def test_each_prediction_is_timed_by_stage():
    class SlowPolicy(FixedPolicy):
        def __call__(self, *args):
            time.sleep(0.03)
            return super().__call__(*args)

    rig = Rig(policy=SlowPolicy())
    assert rig.core.latency_medians_ms() == {}
    rig.tcp_tf()
    rig.frame()
    rig.graph.advance(0.02)
    rig.instruct()
    rig.graph.advance(0.06)
    assert len(rig.contact) == 1
    (timing,) = rig.core.timings
    assert set(timing) == {'frame_age_ms', 'decode', 'model', 'lift', 'safety', 'publish',
                           'total'}
    assert 30.0 <= timing['model'] < 1000.0 and timing['frame_age_ms'] == pytest.approx(50.0)
    assert all(timing[s] < timing['model'] for s in ('decode', 'lift', 'safety', 'publish'))
    assert timing['total'] == pytest.approx(sum(timing[s] for s in STAGES))
    # A prediction refused at the depth check never reaches the safety stage.
    rig.predict(text='Open the door.', tcp=None, depth=np.zeros((H, W), np.float32))
    assert len(rig.core.timings) == 2 and 'safety' not in rig.core.timings[1]
    medians = rig.core.latency_medians_ms()
    assert medians['predictions'] == 2 and medians['safety'] == timing['safety']
    assert medians['model'] >= 30.0


# ----- refusals -------------------------------------------------------------------------------


def test_stale_frame_is_refused_with_a_warning_then_a_fresh_one_is_used(caplog):
    rig = Rig(max_frame_age_s=0.5)
    rig.tcp_tf()
    rig.frame()
    rig.graph.advance(1.0)
    with caplog.at_level(logging.WARNING, logger='robomamba_ros'):
        rig.instruct()
        rig.graph.advance(0.5)
    assert not rig.policy.calls
    _assert_refused(rig, 'stale_frame')  # counted once, not once per inference tick
    assert any('stale_frame' in r.getMessage() and 'old' in r.getMessage()
               for r in caplog.records)
    rig.tcp_tf()
    rig.frame()
    rig.graph.advance(0.06)
    assert len(rig.policy.calls) == 1 and len(rig.contact) == 1


@pytest.mark.parametrize('encoding', ['32FC1', '16UC1'])
def test_invalid_depth_at_or_around_the_contact_is_refused(encoding):
    rig = Rig()
    depth = np.full((H, W), PLANE_DEPTH_M, np.float32)
    depth[20:28, 28:36] = np.nan  # a hole around the image centre
    rig.predict(depth=depth, encoding=encoding)
    assert len(rig.policy.calls) == 1
    assert rig.policy.calls[0]['depth'][24, 32] == 0.0  # the policy sees 0 = no reading
    _assert_refused(rig, 'invalid_depth')
    rig.graph.advance(1.0)
    assert not rig.goals
    # The refused prediction is still shown, marked as refused.
    assert len(rig.debug) == 1

    # Mostly missing around a valid centre pixel: refused too.
    rig = Rig(min_valid_depth_fraction=0.6)
    depth = np.full((H, W), PLANE_DEPTH_M, np.float32)
    depth[21:27, 29:35] = 0.0
    depth[24, 32] = depth[23, 31] = PLANE_DEPTH_M
    rig.predict(tcp=None, depth=depth, encoding=encoding)
    _assert_refused(rig, 'invalid_depth')


@pytest.mark.parametrize('output', [
    {'pixel': (np.nan, 10.0)},
    {'up': (0.0, np.inf, 1.0)},
    {'forward': (np.nan, np.nan, np.nan)},
    {'pixel': (1.0, 2.0, 3.0)},
])
def test_non_finite_model_output_is_refused(output):
    rig = Rig(policy=FixedPolicy(**output))
    rig.predict(0.5)
    _assert_refused(rig, 'non_finite_output')
    assert not rig.goals


def test_a_failing_model_is_refused_not_a_crash(caplog):
    rig = Rig(policy=FixedPolicy(error=RuntimeError('CUDA out of memory')))
    rig.frame()
    with caplog.at_level(logging.WARNING, logger='robomamba_ros'):
        rig.instruct()
        rig.graph.advance(0.06)
    _assert_refused(rig, 'model_error')
    assert any('CUDA out of memory' in r.getMessage() for r in caplog.records)


def test_an_approach_toward_the_camera_is_refused():
    rig = Rig(policy=FixedPolicy(up=(0.0, 0.2, -1.0)))
    rig.predict(tcp=None)
    _assert_refused(rig, 'orientation')


def test_missing_camera_transform_is_refused():
    rig = Rig(static_camera=False)
    rig.predict()
    _assert_refused(rig, 'tf_missing')


def test_stale_camera_transform_is_refused():
    rig = Rig(static_camera=False, tf_max_age_s=0.2)
    rig.camera_tf()  # a dynamic transform (hand-mounted camera) that stops coming
    rig.graph.advance(1.0)
    rig.predict()
    _assert_refused(rig, 'tf_stale')
    # The same transform, refreshed, is accepted.
    rig.camera_tf()
    rig.predict(text='Pull the drawer open again.', tcp=None)
    assert len(rig.contact) == 1


def test_goal_stream_needs_a_start_pose():
    rig = Rig()  # no end-effector transform, no previous goal
    rig.predict(1.0, tcp=None)
    assert len(rig.contact) == 1 and not rig.goals
    counts, _ = rig.counts()
    assert counts['no_start_pose'] == '1'  # counted once per target, not per tick
    rig.tcp_tf()
    rig.graph.advance(0.1)
    assert rig.goals
    first = _pose(rig.goals[0][1])[0]
    assert np.linalg.norm(first - T_BASE_TCP[:3, 3]) <= rig.params.max_goal_step_m + 1e-9


def test_workspace_clamps_a_goal_slightly_outside_and_refuses_one_far_outside():
    # The pregrasp pose (z = 0.25) is 3 cm above the box: clamped, contact unchanged.
    rig = Rig(workspace_max=(0.8, 0.6, 0.22), workspace_margin_m=0.05)
    rig.predict(1.0, tcp=geometry.make_transform(R_TARGET, [0.5, 0.0, 0.2]))
    assert _pose(rig.contact[0][1])[0] == pytest.approx(CONTACT, abs=1e-6)
    assert _pose(rig.pregrasp[0][1])[0] == pytest.approx(PREGRASP, abs=1e-6)
    assert _pose(rig.goals[-1][1])[0] == pytest.approx([0.5, 0.0, 0.22], abs=1e-6)
    assert max(_pose(m)[0][2] for _, m in rig.goals) <= 0.22 + 1e-9

    # The contact itself 20 cm beyond the box: refused.
    rig = Rig(workspace_max=(0.3, 0.6, 0.8))
    rig.predict(0.5)
    _assert_refused(rig, 'workspace')
    assert not rig.goals


def test_a_new_target_is_approached_from_the_previous_goal_without_a_jump():
    rig = Rig(max_goal_step_m=0.01, max_goal_step_rad=0.05)
    rig.predict(0.3)  # part of the way to the first target
    assert 0 < len(rig.goals) < 20
    # The arm tracked the stream; a second prediction far away and turned: the stream
    # continues from the last goal.
    p_last, q_last, _ = _pose(rig.goals[-1][1])
    rig.policy.pixel, rig.policy.forward = (5.0, 5.0), np.array([0.0, 1.0, 0.0])
    rig.predict(2.0, 'Open the other door.', tcp=geometry.pose_to_matrix(p_last, q_last))
    goals = [_pose(m) for _, m in rig.goals]
    for (p0, q0, _), (p1, q1, _) in zip(goals, goals[1:]):
        assert np.linalg.norm(p1 - p0) <= 0.01 + 1e-9
        assert geometry.quat_angle(q0, q1) <= 0.05 + 1e-6
    second = _pose(rig.pregrasp[-1][1])
    assert goals[-1][0] == pytest.approx(second[0], abs=1e-6)
    assert geometry.quat_angle(goals[-1][1], second[1]) < 1e-6


def test_estop_stops_the_goal_stream_and_refuses_new_goals():
    rig = Rig()
    rig.predict(0.2)
    assert rig.goals
    rig.graph.publish('/robomamba/estop', 'std_msgs/msg/Bool',
                      messages.make_bool(True, rig.types), LATCHED)
    n = len(rig.goals)
    rig.graph.advance(0.5)
    assert len(rig.goals) == n
    rig.predict(0.1, 'Try again.', tcp=None)
    counts, _ = rig.counts()
    assert counts['estop'] == '1' and len(rig.goals) == n


def test_reset_forgets_the_target():
    rig = Rig()
    rig.predict(0.2)
    response = rig.graph.call_service(f'{NODE}/reset')
    assert response['success']
    n = len(rig.goals)
    rig.graph.advance(0.5)
    assert len(rig.goals) == n
    assert len(rig.policy.calls) == 1  # the latched instruction is not run again


# ----- modes and questions --------------------------------------------------------------------


def test_continuous_mode_predicts_on_newer_frames_at_most_at_its_rate():
    rig = Rig(continuous_rate_hz=5.0)
    rig.tcp_tf()
    rig.instruct()
    for _ in range(30):  # 1 s of a 30 Hz camera
        rig.frame()
        rig.graph.advance(1 / 30)
    assert 4 <= len(rig.policy.calls) <= 6
    rig.graph.advance(1.0)  # the last frame may still be used once
    n = len(rig.policy.calls)
    assert n <= 7
    rig.graph.advance(1.0)  # no newer frame: no new prediction
    assert len(rig.policy.calls) == n


def test_questions_are_answered_about_the_newest_frame(caplog):
    seen = []

    def answerer(rgb, question):
        seen.append(rgb)
        return f'I see {int(rgb.mean())} grey' if rgb is not None else 'no image'

    rig = Rig(answerer=answerer)
    rig.frame(rgb=np.full((H, W, 3), 77, np.uint8), depth=np.ones((H, W), np.float32))
    rig.ask('What do you see?')
    rig.graph.advance(0.06)
    assert [m.data for _, m in rig.answers] == ['I see 77 grey']
    # Without a fresh frame the question is answered from the text alone, with a warning.
    rig.graph.advance(2.0)
    with caplog.at_level(logging.WARNING, logger='robomamba_ros'):
        rig.ask('Which tool opens a door?')
        rig.graph.advance(0.06)
    assert rig.answers[-1][1].data == 'no image' and seen[-1] is None
    assert any('without an image' in r.getMessage() for r in caplog.records)


def test_questions_without_a_language_model_get_a_warning_only(caplog):
    rig = Rig()
    rig.frame()
    with caplog.at_level(logging.WARNING, logger='robomamba_ros'):
        rig.ask('What is this?')
        rig.graph.advance(0.06)
    assert not rig.answers
    assert any('no language model' in r.getMessage() for r in caplog.records)


# ----- declaration, parameters, construction -------------------------------------------------


def test_ports_timers_and_qos():
    core = RoboMambaNodeCore(_params(), NodeContext(types=RosbagsTypes(DISTROS[0])),
                             pose_source=FixedPolicy())
    ports = {p.name: p for p in core.ports()}
    for name in ('image', 'depth', 'camera_info'):
        assert ports[name].direction == IN and ports[name].qos == SENSOR
    assert ports['instruction'].qos == LATCHED and ports['estop'].qos == LATCHED
    assert ports['image'].topic == '/camera/camera/color/image_raw'
    assert ports['depth'].topic == '/camera/camera/aligned_depth_to_color/image_raw'
    assert ports['camera_info'].topic == '/camera/camera/color/camera_info'
    assert ports['image'].type_name == ports['depth'].type_name == 'sensor_msgs/msg/Image'
    compressed = RoboMambaNodeCore(
        _params(image_transport='compressed', depth_transport='compressedDepth'),
        NodeContext(types=RosbagsTypes(DISTROS[0])), pose_source=FixedPolicy())
    by_name = {p.name: p for p in compressed.ports()}
    assert (by_name['image'].topic, by_name['image'].type_name) == (
        '/camera/camera/color/image_raw/compressed', 'sensor_msgs/msg/CompressedImage')
    assert (by_name['depth'].topic, by_name['depth'].type_name) == (
        '/camera/camera/aligned_depth_to_color/image_raw/compressedDepth',
        'sensor_msgs/msg/CompressedImage')
    outputs = {n: p for n, p in ports.items() if p.direction == OUT}
    assert {p.topic for p in outputs.values()} == {
        '~/contact_pose', '~/pregrasp_pose', GOAL, '~/markers', '~/debug_image', '~/answer',
        '/diagnostics'}
    assert outputs['goal_pose'].qos == COMMAND and outputs['contact_pose'].qos == COMMAND
    timers = {t.name: t for t in core.timers()}
    assert timers['infer'].group == 'inference' and timers['goal'].group != 'inference'
    assert timers['goal'].period_s == pytest.approx(1 / 50)
    assert [s.service for s in core.services()] == ['~/reset']


def test_config_file_lists_every_parameter_with_the_dataclass_defaults():
    section = yaml.safe_load(CONFIG.read_text())['robomamba_node']['ros__parameters']
    fields = {f.name: f for f in parameter_fields(RoboMambaNodeParameters)}
    assert set(section) == set(fields)
    loaded = _params()
    assert loaded == RoboMambaNodeParameters()
    assert loaded.base_frame == 'panda_link0'
    # Each field has a description for `ros2 param describe`.
    assert all(f.metadata['description'] for f in fields.values())


def test_deployment_files_override_the_node_file():
    sim = load_parameters(RoboMambaNodeParameters, 'robomamba_node',
                          [CONFIG, REPO_ROOT / 'config' / 'sim.yaml'])
    assert sim.base_frame == 'world'
    franka_file = REPO_ROOT / 'config' / 'franka.yaml'
    franka = load_parameters(RoboMambaNodeParameters, 'robomamba_node', [CONFIG, franka_file])
    given = yaml.safe_load(franka_file.read_text())['robomamba_node']['ros__parameters']
    assert franka.base_frame == 'panda_link0'
    assert all(getattr(franka, k) == (tuple(v) if isinstance(v, list) else v)
               for k, v in given.items())
    with pytest.raises(ValueError, match='unknown parameter'):
        _params(goal_rate=10.0)
    with pytest.raises(ValueError, match='max_goal_step_m'):
        _params(max_goal_step_m=-1.0)


def test_empty_model_path_loads_the_shipped_model():
    core = RoboMambaNodeCore(_params(), NodeContext(types=RosbagsTypes(DISTROS[0])))
    assert core.pose_source.model.config.lm.hidden_size == 128  # robomamba-sapien-tiny
    assert core.answerer is not None


def test_construction_errors_are_clear():
    context = NodeContext(types=RosbagsTypes(DISTROS[0]))
    with pytest.raises(ValueError, match='workspace'):
        RoboMambaNodeCore(_params(workspace_min=(1.0, 0.0, 0.0)), context,
                          pose_source=FixedPolicy())
    with pytest.raises(ValueError, match='odd'):
        RoboMambaNodeCore(_params(depth_window_px=4), context, pose_source=FixedPolicy())
    with pytest.raises(FileNotFoundError, match='/nonexistent/robomamba'):
        RoboMambaNodeCore(_params(model_path='/nonexistent/robomamba'), context)


# ----- direct callbacks with a hand-written transform source ---------------------------------


class CameraOnly(TransformSource):
    """Knows the camera (static) and an end effector whose stamp the test sets."""

    def __init__(self):
        self.tcp_stamp_ns = None

    def lookup(self, target_frame, source_frame):
        if (target_frame, source_frame) == (BASE, CAM):
            return T_BASE_CAM, 0
        if (target_frame, source_frame) == (BASE, TCP) and self.tcp_stamp_ns is not None:
            return T_BASE_TCP, self.tcp_stamp_ns
        raise TransformUnavailable(f'{target_frame} <- {source_frame}')


def test_callbacks_directly_with_a_transform_source():
    types = RosbagsTypes(DISTROS[0])
    transforms = CameraOnly()
    policy = FixedPolicy()
    core = RoboMambaNodeCore(_params(), NodeContext(types=types, transforms=transforms),
                             pose_source=policy)
    now = 5_000_000_000
    assert not core.on_image(messages.numpy_to_image(
        np.zeros((H, W, 3), np.uint8), 'rgb8', types, now, CAM), now)
    core.on_depth(messages.numpy_to_image(np.full((H, W), 0.5, np.float32), '32FC1', types,
                                          now + 2 * MS, CAM), now)
    core.on_camera_info(messages.make_camera_info(K, W, H, types, CAM, now - MS), now)
    assert core.on_infer(now) == []  # no instruction yet
    core.on_instruction(messages.make_string('Open it.', types), now)
    out = dict(core.on_infer(now + 10 * MS))
    assert {'contact_pose', 'pregrasp_pose', 'markers', 'debug_image', 'diagnostics'} <= set(out)
    assert core.last_result['contact'] == pytest.approx(CONTACT)
    # EE pose too old: the goal stream cannot start (refused once), fresh: it starts.
    transforms.tcp_stamp_ns = now - 2_000_000_000
    refused = dict(core.on_goal(now + 20 * MS))
    assert 'goal_pose' not in refused and 'diagnostics' in refused
    assert core.counter.counts['no_start_pose'] == 1
    transforms.tcp_stamp_ns = now
    goal = dict(core.on_goal(now + 40 * MS))['goal_pose']
    assert goal.header.frame_id == BASE
    assert set(core.counter.counts) == set(REASONS)


def test_parameters_dataclass_is_plain_data():
    params = RoboMambaNodeParameters()
    assert dataclasses.replace(params, continuous_rate_hz=2.0).continuous_rate_hz == 2.0
    assert isinstance(params.workspace_min, tuple) and len(params.workspace_min) == 3


# ----- a real (tiny, random) RoboMamba folder -------------------------------------------------


@pytest.fixture(scope='module')
def tiny_model(tmp_path_factory):
    torch = pytest.importorskip('torch')
    from robomamba_ros.models.configuration_robomamba import LanguageModelConfig, \
        RoboMambaConfig
    from robomamba_ros.models.robomamba import RoboMamba
    from robomamba_ros.train.synthetic_data import build_tokenizer

    folder = tmp_path_factory.mktemp('tiny_robomamba')
    torch.manual_seed(0)
    tokenizer = build_tokenizer(str(folder))
    RoboMamba(RoboMambaConfig(lm=LanguageModelConfig(vocab_size=len(tokenizer))),
              tokenizer).save_pretrained(str(folder))
    return folder


def test_a_tiny_robomamba_folder_drives_the_node(tiny_model):
    rig = Rig(model_path=str(tiny_model), answer_max_new_tokens=4)
    rig.ask('What is this?')
    rgb = np.random.default_rng(0).integers(0, 256, (H, W, 3), dtype=np.uint8)
    rig.predict(tcp=None, rgb=rgb)
    # The random model ran: its prediction was either accepted or refused for a safety reason,
    # never a crash, and shown on the debug image.
    assert len(rig.debug) == 1
    counts, status = rig.counts()
    assert counts['model_error'] == '0' and counts['non_finite_output'] == '0'
    assert counts['accepted'] == '1' or status.level == status.WARN
    assert len(rig.answers) == 1 and isinstance(rig.answers[0][1].data, str)


def test_a_new_instruction_stops_the_old_stream_and_restarts_from_a_moved_arm():
    rig = Rig()
    rig.predict(0.5)
    assert rig.goals
    rig.instruct('Open the door.')  # no fresh frame yet: the old target is dropped
    streamed = len(rig.goals)
    rig.graph.advance(0.5)
    assert len(rig.goals) == streamed
    # The arm was moved elsewhere meanwhile (e.g. a simulator reset): start from where it is.
    T_moved = T_BASE_TCP.copy()
    T_moved[:3, 3] += [0.0, 0.2, 0.1]
    rig.predict(0.1, 'Open the door again.', tcp=T_moved)
    first = _pose(rig.goals[streamed][1])[0]
    assert np.linalg.norm(first - T_moved[:3, 3]) <= rig.params.max_goal_step_m + 1e-9
