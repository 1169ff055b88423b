# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The package as ROS 2 sees it: package.xml, and the install tree that colcon builds.

colcon-core and colcon-ros come from PyPI; the build runs in a temporary folder on a copy of the
source, so the working tree is never touched.
"""

import os
import pathlib
import shutil
import subprocess
import sys

from catkin_pkg.package import parse_package
from conftest import REPO_ROOT
import pytest

from robomamba_ros import __version__

PACKAGE = 'robomamba_ros'
EXECUTABLES = ('robomamba_node', 'dmm_node', 'sapien_bridge', 'robomamba-ros')
REQUIRED_EXEC_DEPENDS = {
    'rclpy', 'sensor_msgs', 'geometry_msgs', 'std_msgs', 'std_srvs', 'visualization_msgs',
    'tf2_ros', 'message_filters', 'builtin_interfaces',
}
# Build outputs and local environments that must not travel into the copied source.
COPY_IGNORE = shutil.ignore_patterns(
    '.git', '.venv', 'build', 'install', 'log', '__pycache__', '*.egg-info', '.pytest_cache',
    '.hypothesis', 'robomamba_out')


def test_package_xml_is_valid_format3_ament_python():
    pkg = parse_package(str(REPO_ROOT / 'package.xml'))  # validates against the format rules
    assert pkg.name == PACKAGE
    assert pkg.package_format == 3
    assert pkg.version == __version__
    assert pkg.get_build_type() == 'ament_python'
    exec_depends = {dep.name for dep in pkg.exec_depends}
    assert REQUIRED_EXEC_DEPENDS <= exec_depends, REQUIRED_EXEC_DEPENDS - exec_depends
    assert 'ament_python' in {dep.name for dep in pkg.buildtool_depends}


@pytest.fixture(scope='module')
def colcon_install(tmp_path_factory):
    work = tmp_path_factory.mktemp('colcon')
    shutil.copytree(REPO_ROOT, work / 'src' / PACKAGE, ignore=COPY_IGNORE)
    colcon = pathlib.Path(sys.executable).parent / 'colcon'
    assert colcon.exists(), 'colcon is not installed in this environment (extra: test)'
    result = subprocess.run(
        [str(colcon), 'build', '--base-paths', 'src', '--build-base', 'build',
         '--install-base', 'install'],
        cwd=work, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f'colcon build failed:\n{result.stdout}\n{result.stderr}'
    return work / 'install' / PACKAGE


def test_colcon_install_layout(colcon_install):
    share = colcon_install / 'share'
    assert (share / 'ament_index' / 'resource_index' / 'packages' / PACKAGE).is_file()
    assert (share / PACKAGE / 'package.xml').is_file()
    assert (share / PACKAGE / 'launch' / 'manipulate.launch.py').is_file()
    configs = sorted(p.name for p in (REPO_ROOT / 'config').glob('*.yaml'))
    assert configs, 'the source tree has no config/*.yaml'
    for name in configs:
        assert (share / PACKAGE / 'config' / name).is_file(), name
    for name in EXECUTABLES:
        exe = colcon_install / 'lib' / PACKAGE / name
        assert exe.is_file(), f'missing executable lib/{PACKAGE}/{name}'
        assert os.access(exe, os.X_OK), f'lib/{PACKAGE}/{name} is not executable'


def test_installed_cli_runs_from_the_install_tree(colcon_install):
    site = next((colcon_install / 'lib').glob('python3*/site-packages'))
    env = dict(os.environ, PYTHONPATH=str(site))
    exe = colcon_install / 'lib' / PACKAGE / 'robomamba-ros'
    code = 'import robomamba_ros, sys; sys.stdout.write(robomamba_ros.__file__)'
    where = subprocess.run([sys.executable, '-c', code], env=env, cwd=colcon_install,
                           capture_output=True, text=True, check=True).stdout
    assert pathlib.Path(where).is_relative_to(site), where
    result = subprocess.run([sys.executable, str(exe), 'version'], env=env, cwd=colcon_install,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f'robomamba_ros {__version__}'
