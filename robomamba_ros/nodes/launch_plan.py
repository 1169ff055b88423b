# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
What the manipulation launch starts: one plan for the launch file and ``robomamba-ros launch``.

ROS-free and light to import (the standard library only; the package's file lookup loads when
a plan is built): ``launch/manipulate.launch.py`` turns each :class:`NodeLaunch` into a
``launch_ros`` ``Node``, the ``launch`` subcommand (:mod:`robomamba_ros.nodes.launcher`) into a
command line.

Each node's parameters are layered, later entries winning: the node's own ``config/<node>.yaml``
(``robomamba.yaml``, ``dmm.yaml``; the bridge has none), then the deployment file
(``config/sim.yaml`` in simulation, ``config/franka.yaml`` on the real robot, or the ``config``
argument; the simulated Panda runs the nodes with ``franka.yaml`` and then ``sim_panda.yaml``,
see :data:`SIM_DEPLOYMENTS`), then the values of the launch arguments (``use_sim_time``,
``model_path``).
"""

import dataclasses
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

PACKAGE = 'robomamba_ros'

#: The launch arguments: name -> (default as ``ros2 launch`` sees it, description).
LAUNCH_ARGUMENTS = {
    'sim': ('true', 'Run the SAPIEN bridge instead of a real robot.'),
    'config': ('', 'Deployment parameter file: a path, or the name of a shipped config file '
                   '(empty: sim.yaml when sim is true, franka.yaml otherwise).'),
    'robomamba_model': ('', 'Local RoboMamba model folder (empty: the shipped model).'),
    'dmm_model': ('', 'Local DMM model folder (empty: the shipped model).'),
    'robot': ('flying_hand', "Simulated robot: 'flying_hand' (the where2act protocol's suction "
                             "hand) or 'panda' (a Franka Panda; the nodes run with franka.yaml)."),
    'camera': ('tripod', "Simulated camera mount: 'tripod' (the scene's seeded camera) or "
                         "'wrist' (on the Panda's hand; robot:=panda only)."),
    'suite': ('v1', "Simulated scenes: 'v1' (one movable part per object) or 'v2' (several, "
                    'the instruction naming one; robot:=flying_hand only). With '
                    "robomamba_model empty, robomamba_node takes the suite's shipped model."),
    'use_sim_time': ('', 'Follow /clock (empty: the value of sim).'),
    'rviz': ('false', 'Start RViz.'),
}

#: Each node's own parameter file under ``config/`` (the bridge has none).
NODE_FILES = {'robomamba_node': 'robomamba.yaml', 'dmm_node': 'dmm.yaml'}

#: The deployment file for each value of ``sim``.
DEPLOYMENT_FILES = {True: 'sim.yaml', False: 'franka.yaml'}

#: Deployment files of each simulated robot, in the order applied: ``(the bridge's, those of
#: robomamba_node and dmm_node)``. The Panda runs the nodes with the real arm's file, so both see
#: the same topics, frames and limits; ``sim_panda.yaml`` adds what only a simulator needs.
SIM_DEPLOYMENTS = {
    'flying_hand': (('sim.yaml',), ('sim.yaml',)),
    'panda': (('sim.yaml', 'sim_panda.yaml'), ('franka.yaml', 'sim_panda.yaml')),
}
ROBOTS = tuple(SIM_DEPLOYMENTS)
#: The simulated camera's mounts (as :data:`robomamba_ros.sim.wrist_camera.CAMERA_MOUNTS`, which
#: needs SAPIEN to import).
CAMERA_MOUNTS = ('tripod', 'wrist')
#: The simulation suites (as :data:`robomamba_ros.sim.categories.SUITES`, which needs SAPIEN).
SUITES = ('v1', 'v2')

_TRUE = ('true', '1')
_FALSE = ('false', '0')


@dataclasses.dataclass(frozen=True)
class NodeLaunch:
    """
    One process of the launch.

    :param name: node name (``__node:=``), also the label of its output lines.
    :param executable: executable name in ``lib/<package>``.
    :param package: package that installs the executable.
    :param entry_point: ``module:function`` that runs the node from this Python when the
        executable is not installed ('' for other packages).
    :param param_files: parameter files, in the order they are applied (absolute paths).
    :param overrides: parameter values applied after the files, in order.
    :param required: whether the launch ends when this process exits.
    :param output: ``'screen'`` or ``'log'``, as ``launch_ros`` takes it.
    """

    name: str
    executable: str
    package: str = PACKAGE
    entry_point: str = ''
    param_files: Tuple[str, ...] = ()
    overrides: Tuple[Tuple[str, Any], ...] = ()
    required: bool = True
    output: str = 'screen'

    @property
    def override_dict(self) -> Dict[str, Any]:
        """The overrides as the dict the launch file passes after the parameter files."""
        return dict(self.overrides)


def as_bool(value, name):
    """
    Read a launch argument as a boolean, as ``launch``'s conditions do.

    :param value: a bool, or ``'true'``/``'false'``/``'1'``/``'0'`` in any case.
    :param name: the argument's name, for the error.
    :return: the boolean.
    :raises ValueError: naming the argument and the value.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f'{name}: expected true or false, got {value!r}')


def _shipped_file(name, config_dir):
    if config_dir is None:
        from robomamba_ros.nodes.config_files import config_path
        return str(config_path(name))
    path = Path(config_dir) / name
    if not path.is_file():
        raise FileNotFoundError(f'{name} not found in {config_dir}')
    return str(path)


def deployment_file(sim, config=None, config_dir=None):
    """
    Return the deployment parameter file.

    :param sim: whether the launch runs the simulator.
    :param config: a path, the name of a shipped file (``'franka.yaml'``), or None/'' for the
        default of ``sim``.
    :param config_dir: folder of the shipped files (None: found like
        :func:`~robomamba_ros.nodes.config_files.config_path`).
    :return: the absolute path as a string.
    :raises FileNotFoundError: when ``config`` is neither an existing file nor a shipped one.
    """
    if not config:
        return _shipped_file(DEPLOYMENT_FILES[bool(sim)], config_dir)
    path = Path(os.path.expanduser(config))
    if path.is_file():
        return str(path.resolve())
    if path.name == config:
        try:
            return _shipped_file(config, config_dir)
        except FileNotFoundError:
            pass
    raise FileNotFoundError(f'config: {config} is neither a file nor a shipped config file')


def deployment_files(sim, robot='flying_hand', config=None, config_dir=None):
    """
    Return the deployment files of the bridge and of the two nodes.

    :param sim: whether the launch runs the simulator.
    :param robot: the simulated robot, one of :data:`ROBOTS` (ignored without ``sim``).
    :param config: one file for every node instead (see :func:`deployment_file`).
    :param config_dir: folder of the shipped files (None: searched).
    :return: ``(bridge files, node files)``, tuples of absolute paths as strings.
    :raises ValueError: for an unknown robot.
    """
    if robot not in SIM_DEPLOYMENTS:
        raise ValueError(f'robot: expected one of {", ".join(ROBOTS)}, got {robot!r}')
    if config or not sim:
        files = (deployment_file(sim, config, config_dir),)
        return files, files
    bridge, nodes = SIM_DEPLOYMENTS[robot]
    return (tuple(_shipped_file(name, config_dir) for name in bridge),
            tuple(_shipped_file(name, config_dir) for name in nodes))


def launch_plan(sim=True, config=None, robomamba_model='', dmm_model='', use_sim_time=None,
                rviz=False, config_dir=None, robot='flying_hand', camera='tripod', suite='v1'):
    """
    List the processes of the manipulation launch, in start order.

    :param sim: start the SAPIEN bridge and use ``sim.yaml`` by default.
    :param config: deployment file (see :func:`deployment_file`); None or '' for the default
        (:func:`deployment_files`).
    :param robomamba_model: robomamba_node's ``model_path`` ('' for the shipped model).
    :param dmm_model: dmm_node's ``model_path`` ('' for the shipped model).
    :param use_sim_time: whether robomamba_node and dmm_node follow ``/clock`` (None: ``sim``).
    :param rviz: also start RViz (not required: closing it leaves the rest running).
    :param config_dir: folder of the shipped config files (None: searched).
    :param robot: the simulated robot, one of :data:`ROBOTS`.
    :param camera: the simulated camera's mount, one of :data:`CAMERA_MOUNTS` (``'wrist'`` needs
        the Panda).
    :param suite: the simulated scenes, one of :data:`SUITES` (``'v2'`` with the flying hand);
        with ``robomamba_model`` empty, robomamba_node takes the suite's shipped model.
    :return: list of :class:`NodeLaunch`.
    :raises ValueError: for an unknown robot, camera mount or suite, a wrist without an arm, or
        suite v2 with the Panda.
    """
    if suite not in SUITES:
        raise ValueError(f'suite: expected one of {", ".join(SUITES)}, got {suite!r}')
    if sim and suite == 'v2' and robot != 'flying_hand':
        raise ValueError('suite:=v2 needs robot:=flying_hand (the layout of the Panda plans for '
                         'one-part objects)')
    if camera not in CAMERA_MOUNTS:
        raise ValueError(f'camera: expected one of {", ".join(CAMERA_MOUNTS)}, got {camera!r}')
    if sim and camera == 'wrist' and robot != 'panda':
        raise ValueError('camera:=wrist needs robot:=panda (the flying hand has no wrist)')
    sim = bool(sim)
    use_sim_time = sim if use_sim_time is None else bool(use_sim_time)
    bridge_files, node_files = deployment_files(sim, robot, config, config_dir)
    plan = []
    if sim:
        # The bridge publishes /clock itself, so it never waits for sim time.
        plan.append(NodeLaunch(
            name='sapien_bridge', executable='sapien_bridge',
            entry_point='robomamba_ros.nodes.sapien_bridge:main',
            param_files=bridge_files, overrides=(('use_sim_time', False),) + (
                # The default leaves a deployment file's own mount alone.
                (('camera_mount', camera),) if camera != CAMERA_MOUNTS[0] else ()) + (
                (('suite', suite),) if suite != SUITES[0] else ())))
    if sim and suite != SUITES[0] and not robomamba_model:
        from robomamba_ros.package_files import shipped_model, SUITE_ROBOMAMBAS
        robomamba_model = str(shipped_model(SUITE_ROBOMAMBAS[suite]))
    for name, model in (('robomamba_node', robomamba_model), ('dmm_node', dmm_model)):
        plan.append(NodeLaunch(
            name=name, executable=name, entry_point=f'robomamba_ros.nodes.{name}:main',
            param_files=(_shipped_file(NODE_FILES[name], config_dir),) + node_files,
            overrides=(('use_sim_time', use_sim_time), ('model_path', str(model or '')))))
    if rviz:
        plan.append(NodeLaunch(name='rviz2', executable='rviz2', package='rviz2',
                               required=False, output='log'))
    return plan


def plan_from_arguments(arguments: Mapping[str, Optional[str]], config_dir=None):
    """
    Build the plan from launch arguments given as strings (``ros2 launch``'s ``name:=value``).

    :param arguments: values by name; missing or None ones take the defaults of
        :data:`LAUNCH_ARGUMENTS`.
    :param config_dir: folder of the shipped config files (None: searched).
    :return: list of :class:`NodeLaunch`.
    :raises ValueError: for an unknown argument or a bad boolean.
    """
    unknown = sorted(set(arguments) - set(LAUNCH_ARGUMENTS))
    if unknown:
        raise ValueError(f'unknown launch argument(s) {", ".join(unknown)}; known: '
                         + ', '.join(LAUNCH_ARGUMENTS))
    values = {name: default for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    values.update({k: v for k, v in arguments.items() if v is not None})
    sim = as_bool(values['sim'], 'sim')
    use_sim_time = values['use_sim_time']
    return launch_plan(
        sim=sim, config=values['config'] or None, robomamba_model=values['robomamba_model'],
        dmm_model=values['dmm_model'],
        use_sim_time=as_bool(use_sim_time, 'use_sim_time') if use_sim_time != '' else None,
        rviz=as_bool(values['rviz'], 'rviz'), config_dir=config_dir, robot=values['robot'],
        camera=values['camera'], suite=values['suite'])


__all__ = ['CAMERA_MOUNTS', 'DEPLOYMENT_FILES', 'LAUNCH_ARGUMENTS', 'NODE_FILES', 'NodeLaunch',
           'PACKAGE', 'ROBOTS', 'SIM_DEPLOYMENTS', 'SUITES', 'as_bool', 'deployment_file',
           'deployment_files', 'launch_plan', 'plan_from_arguments']
