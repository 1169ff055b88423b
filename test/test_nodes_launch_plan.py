# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""The launch plan: which nodes start, with which parameter files in which order, and values."""

from conftest import REPO_ROOT
import pytest

from robomamba_ros.nodes.launch_plan import (
    as_bool, CAMERA_MOUNTS, deployment_file, LAUNCH_ARGUMENTS, launch_plan, plan_from_arguments,
    SUITES)

CONFIG = REPO_ROOT / 'config'


def _by_name(plan):
    return {step.name: step for step in plan}


def test_sim_plan_starts_the_bridge_first_with_the_sim_deployment():
    plan = launch_plan(sim=True)
    assert [s.name for s in plan] == ['sapien_bridge', 'robomamba_node', 'dmm_node']
    assert all(s.required and s.package == 'robomamba_ros' for s in plan)
    bridge, robomamba, dmm = plan
    assert bridge.param_files == (str(CONFIG / 'sim.yaml'),)
    assert bridge.override_dict == {'use_sim_time': False}  # it publishes /clock itself
    assert robomamba.param_files == (str(CONFIG / 'robomamba.yaml'), str(CONFIG / 'sim.yaml'))
    assert dmm.param_files == (str(CONFIG / 'dmm.yaml'), str(CONFIG / 'sim.yaml'))
    for step in (robomamba, dmm):
        assert step.override_dict == {'use_sim_time': True, 'model_path': ''}
        assert [k for k, _ in step.overrides] == ['use_sim_time', 'model_path']


def test_real_plan_has_no_bridge_and_uses_franka_yaml_on_wall_time():
    plan = _by_name(launch_plan(sim=False))
    assert list(plan) == ['robomamba_node', 'dmm_node']
    assert plan['dmm_node'].param_files == (str(CONFIG / 'dmm.yaml'), str(CONFIG / 'franka.yaml'))
    assert plan['robomamba_node'].override_dict['use_sim_time'] is False


def test_custom_config_replaces_the_deployment_file_for_every_node(tmp_path):
    custom = tmp_path / 'lab.yaml'
    custom.write_text('robomamba_node:\n  ros__parameters:\n    base_frame: table\n')
    for step in launch_plan(sim=True, config=str(custom)):
        assert step.param_files[-1] == str(custom.resolve())
        assert str(CONFIG / 'sim.yaml') not in step.param_files


def test_config_may_name_a_shipped_file():
    plan = _by_name(launch_plan(sim=True, config='franka.yaml'))
    assert plan['sapien_bridge'].param_files == (str(CONFIG / 'franka.yaml'),)


def test_missing_config_is_an_error_naming_it():
    with pytest.raises(FileNotFoundError, match='nope.yaml'):
        launch_plan(config='nope.yaml')
    with pytest.raises(FileNotFoundError, match='sim.yaml not found in .*launch'):
        launch_plan(config_dir=REPO_ROOT / 'launch')


def test_models_and_use_sim_time_are_the_last_values():
    plan = _by_name(launch_plan(sim=True, robomamba_model='/m/rm', dmm_model='/m/dmm',
                                use_sim_time=False))
    assert plan['robomamba_node'].override_dict == {'use_sim_time': False, 'model_path': '/m/rm'}
    assert plan['dmm_node'].override_dict == {'use_sim_time': False, 'model_path': '/m/dmm'}
    assert plan['sapien_bridge'].override_dict == {'use_sim_time': False}


def test_rviz_is_optional_and_not_required():
    plan = launch_plan(sim=False, rviz=True)
    assert plan[-1].name == 'rviz2' and plan[-1].package == 'rviz2'
    assert not plan[-1].required and not plan[-1].param_files
    assert 'rviz2' not in _by_name(launch_plan())


def test_arguments_as_strings_follow_launch_conventions():
    assert plan_from_arguments({}) == launch_plan()
    assert plan_from_arguments({'sim': 'False'}) == launch_plan(sim=False)
    assert plan_from_arguments({'sim': '0', 'use_sim_time': 'true', 'dmm_model': 'x'}) == \
        launch_plan(sim=False, use_sim_time=True, dmm_model='x')
    assert plan_from_arguments({'use_sim_time': ''}) == launch_plan(use_sim_time=None)
    # The defaults are what ros2 launch shows; 'config' empty means: follow sim.
    assert plan_from_arguments({name: d for name, (d, _) in LAUNCH_ARGUMENTS.items()}) == \
        launch_plan()


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match='sim'):
        plan_from_arguments({'sim': 'maybe'})
    with pytest.raises(ValueError, match='unknown launch argument.*arm'):
        plan_from_arguments({'arm': 'panda'})
    with pytest.raises(ValueError, match='robot: expected one of flying_hand, panda'):
        plan_from_arguments({'robot': 'ur5'})
    assert as_bool('TRUE', 'x') is True and as_bool('0', 'x') is False and as_bool(True, 'x')


def test_deployment_default_follows_sim():
    assert deployment_file(True) == str(CONFIG / 'sim.yaml')
    assert deployment_file(False, '') == str(CONFIG / 'franka.yaml')


def test_the_simulated_panda_runs_the_nodes_with_the_real_arms_file():
    bridge, robomamba, dmm = plan_from_arguments({'robot': 'panda'})
    assert bridge.param_files == (str(CONFIG / 'sim.yaml'), str(CONFIG / 'sim_panda.yaml'))
    for step, own in ((robomamba, 'robomamba.yaml'), (dmm, 'dmm.yaml')):
        assert step.param_files == (str(CONFIG / own), str(CONFIG / 'franka.yaml'),
                                    str(CONFIG / 'sim_panda.yaml'))
    # A real robot has no simulated one; a config file replaces the deployment for every node.
    assert [s.param_files[-1] for s in launch_plan(sim=False, robot='panda')] == \
        [str(CONFIG / 'franka.yaml')] * 2


def test_the_camera_argument_mounts_the_simulated_camera():
    bridge = plan_from_arguments({'robot': 'panda'})[0]
    assert 'camera_mount' not in dict(bridge.overrides)  # the deployment file's (tripod)
    bridge = plan_from_arguments({'robot': 'panda', 'camera': 'wrist'})[0]
    assert dict(bridge.overrides)['camera_mount'] == 'wrist'
    with pytest.raises(ValueError, match='camera:=wrist needs robot:=panda'):
        plan_from_arguments({'camera': 'wrist'})
    with pytest.raises(ValueError, match='camera: expected one of tripod, wrist'):
        plan_from_arguments({'robot': 'panda', 'camera': 'ceiling'})
    sim = pytest.importorskip('robomamba_ros.sim.wrist_camera')
    assert CAMERA_MOUNTS == sim.CAMERA_MOUNTS


def test_the_suite_argument_picks_the_scenes_and_the_suites_model():
    bridge, node, _ = plan_from_arguments({})
    assert 'suite' not in dict(bridge.overrides) and dict(node.overrides)['model_path'] == ''
    bridge, node, _ = plan_from_arguments({'suite': 'v2'})
    assert dict(bridge.overrides)['suite'] == 'v2'
    assert dict(node.overrides)['model_path'].endswith('robomamba-v2-tiny')
    node = plan_from_arguments({'suite': 'v2', 'robomamba_model': 'my/model'})[1]
    assert dict(node.overrides)['model_path'] == 'my/model'
    with pytest.raises(ValueError, match='suite:=v2 needs robot:=flying_hand'):
        plan_from_arguments({'suite': 'v2', 'robot': 'panda'})
    with pytest.raises(ValueError, match='suite: expected one of v1, v2'):
        plan_from_arguments({'suite': 'v3'})
    sim = pytest.importorskip('robomamba_ros.sim.categories')
    assert SUITES == tuple(sim.SUITES)
