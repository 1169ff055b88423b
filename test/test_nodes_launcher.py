# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros launch``: the command lines, and the supervision of real processes.

The supervision tests run the launcher in a process of its own (as a user would, so that it owns
its signal handlers) over stand-in nodes: small Python programs given through the injectable
command builder. They send real signals and each ends within a few seconds.
"""

import importlib.util
import json
from pathlib import Path
import shlex
import signal
import subprocess
import sys
import threading
import time

from conftest import REPO_ROOT
import pytest
import yaml

from robomamba_ros.cli import main
from robomamba_ros.nodes.launch_plan import launch_plan, NodeLaunch
from robomamba_ros.nodes.launcher import (
    executable_command, node_command, parameter_value, REPEAT_S, ros_arguments)

CONFIG = REPO_ROOT / 'config'

# --- command lines -------------------------------------------------------------------------


@pytest.mark.parametrize('value, text', [
    (True, 'true'), (False, 'false'), (3, '3'), (0.5, '0.5'), ('', "''"), ('/m/rm', '/m/rm'),
    ('a b', 'a b'), ('123', "'123'"), ('true', "'true'"), ("it's", "it's"), ("'q'", "'''q'''"),
    ('~', "'~'"),
])
def test_parameter_values_are_yaml_that_reads_back(value, text):
    assert parameter_value(value) == text
    assert yaml.safe_load(text) == value


def test_ros_arguments_are_those_of_launch_ros():
    dmm = launch_plan(sim=False, dmm_model='/m/dmm')[-1]
    assert ros_arguments(dmm) == [
        '--ros-args', '-r', '__node:=dmm_node',
        '--params-file', str(CONFIG / 'dmm.yaml'), '--params-file', str(CONFIG / 'franka.yaml'),
        '-p', 'use_sim_time:=false', '-p', 'model_path:=/m/dmm']


# Starts a real rclpy node with the ROS arguments it is given and prints its parameters as JSON.
RCL_STANDIN = """
import json, sys
import rclpy
rclpy.init(args=sys.argv)
node = rclpy.create_node('unnamed', automatically_declare_parameters_from_overrides=True)
params = {k: p.value for k, p in node.get_parameters_by_prefix('').items()}
print(json.dumps({'name': node.get_name(), 'params': params}, default=list))
node.destroy_node()
rclpy.shutdown()
"""


@pytest.mark.ros
@pytest.mark.parametrize('plan', [
    launch_plan(sim=True, robomamba_model='/m/rm'),
    launch_plan(sim=False, dmm_model='123', use_sim_time=True),
], ids=['sim', 'real'])
def test_rcl_reads_the_command_line_as_the_layering_says(plan):
    pytest.importorskip('rclpy', reason='needs rclpy')
    for step in plan:
        result = subprocess.run([sys.executable, '-c', RCL_STANDIN] + ros_arguments(step),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        seen = json.loads(result.stdout.splitlines()[-1])
        assert seen['name'] == step.name
        expected = {}  # each file's section for the node, in order, then the values
        for path in step.param_files:
            sections = yaml.safe_load(Path(path).read_text(encoding='utf-8'))
            expected.update(sections.get(step.name, {}).get('ros__parameters', {}))
        expected.update(step.override_dict)
        assert {k: seen['params'].get(k) for k in expected} == expected


def test_installed_executables_are_found_beside_this_python():
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / 'robomamba_node').is_file():
        pytest.skip(f'the console scripts are not installed in {bin_dir} (a colcon install?)')
    for step in launch_plan(sim=True):
        assert executable_command(step) == [str(bin_dir / step.executable)]


def test_without_an_installed_executable_the_node_runs_from_this_python():
    step = NodeLaunch(name='robomamba_node', executable='no_such_robomamba_node',
                      entry_point='robomamba_ros.nodes.robomamba_node:main')
    cmd = node_command(step)
    assert cmd[:2] == [sys.executable, '-c'] and cmd[3:5] == ['--ros-args', '-r']
    if importlib.util.find_spec('rclpy') is None:  # the node says why it cannot run, and exits
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert 'robomamba_node' in result.stderr and 'rclpy' in result.stderr


def test_other_packages_executables_must_be_installed(monkeypatch):
    monkeypatch.delenv('AMENT_PREFIX_PATH', raising=False)
    monkeypatch.setenv('PATH', '')
    with pytest.raises(FileNotFoundError, match='rviz2'):
        executable_command(launch_plan(rviz=True)[-1])


def _dry_run(capsys, *argv):
    assert main(['launch', '--dry-run', *argv]) == 0
    return [shlex.split(line) for line in capsys.readouterr().out.splitlines()]


def _files_and_values(cmd):
    files = [cmd[i + 1] for i, a in enumerate(cmd) if a == '--params-file']
    values = [cmd[i + 1] for i, a in enumerate(cmd) if a == '-p']
    return files, values


def test_dry_run_prints_each_node_with_its_files_in_order(capsys):
    lines = _dry_run(capsys)
    assert [cmd[cmd.index('-r') + 1] for cmd in lines] == [
        '__node:=sapien_bridge', '__node:=robomamba_node', '__node:=dmm_node']
    sim = str(CONFIG / 'sim.yaml')
    assert _files_and_values(lines[0]) == ([sim], ['use_sim_time:=false'])
    assert _files_and_values(lines[1]) == (
        [str(CONFIG / 'robomamba.yaml'), sim], ['use_sim_time:=true', "model_path:=''"])
    assert _files_and_values(lines[2]) == (
        [str(CONFIG / 'dmm.yaml'), sim], ['use_sim_time:=true', "model_path:=''"])
    assert all(cmd[1] == '--ros-args' for cmd in lines)


def test_dry_run_with_options_and_launch_style_arguments(capsys, tmp_path):
    custom = tmp_path / 'lab config.yaml'
    custom.write_text('dmm_node:\n  ros__parameters:\n    base_frame: table\n')
    lines = _dry_run(capsys, 'sim:=false', f'config:={custom}', '--robomamba-model', '/m/r m')
    assert len(lines) == 2
    assert _files_and_values(lines[0]) == (
        [str(CONFIG / 'robomamba.yaml'), str(custom)],
        ['use_sim_time:=false', 'model_path:=/m/r m'])
    lines = _dry_run(capsys, '--no-sim', '--use-sim-time', 'dmm_model:=/m/d')
    assert _files_and_values(lines[1]) == (
        [str(CONFIG / 'dmm.yaml'), str(CONFIG / 'franka.yaml')],
        ['use_sim_time:=true', 'model_path:=/m/d'])


@pytest.mark.parametrize('argv, message', [
    (['sim'], 'name:=value'),
    (['arm:=panda'], 'unknown launch argument'),
    (['sim:=true', '--no-sim'], 'given twice'),
    (['sim:=perhaps'], 'sim: expected true or false'),
    (['config:=/no/such.yaml'], '/no/such.yaml'),
])
def test_bad_launch_arguments_exit_2_with_the_reason(capsys, argv, message):
    assert main(['launch', '--dry-run', *argv]) == 2
    assert message in capsys.readouterr().err


# --- supervision of real processes ---------------------------------------------------------

# Runs Supervisor over stand-ins: argv[1] is JSON {nodes: [{name, script, required}], term, kill}.
DRIVER = """
import json, sys
from robomamba_ros.nodes.launch_plan import NodeLaunch
from robomamba_ros.nodes.launcher import Supervisor
spec = json.loads(sys.argv[1])
launches = [NodeLaunch(name=n['name'], executable=n['name'], required=n.get('required', True))
            for n in spec['nodes']]
scripts = {n['name']: n['script'] for n in spec['nodes']}
def command(launch):
    script = scripts[launch.name]
    return [script] if script.startswith('/') else [sys.executable, '-c', script]
sys.exit(Supervisor(launches, command_for=command, sigterm_timeout_s=spec['term'],
                    sigkill_timeout_s=spec['kill']).run())
"""


def _standin(handles=(), stop_on=('SIGINT',), exit_after=None, code=0):
    """Return a stand-in node's code: ready, then it stops on ``stop_on``, ignores ``handles``."""
    return f"""
import signal, sys, time
def on_signal(signum, frame):
    name = signal.Signals(signum).name
    if name in {tuple(stop_on)!r}:
        print('got', name, flush=True)
        sys.exit(0)
    print('ignoring', name, flush=True)
for name in {tuple(handles) + tuple(stop_on)!r}:
    signal.signal(getattr(signal, name), on_signal)
print('ready', flush=True)
if {exit_after!r} is not None:
    time.sleep({exit_after!r})
    sys.stderr.write('something broke\\n')
    sys.stdout.write('last words')
    sys.exit({code})
while True:
    time.sleep(0.02)
"""


GRACEFUL = _standin()
STUBBORN = _standin(handles=('SIGINT',), stop_on=('SIGTERM',))
IMMORTAL = _standin(handles=('SIGINT', 'SIGTERM'), stop_on=())


class LauncherRun:
    """The launcher in a process of its own, its output collected line by line."""

    def __init__(self, nodes, term=5.0, kill=5.0):
        spec = {'nodes': nodes, 'term': term, 'kill': kill}
        self.start = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, '-c', DRIVER, json.dumps(spec)],
                                     cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out, self.err = [], []
        self.readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                        for stream, lines in ((self.proc.stdout, self.out),
                                              (self.proc.stderr, self.err))]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream, lines):
        for line in stream:
            lines.append(line.rstrip('\n'))

    def text(self):
        return '\n'.join(self.out + ['--- stderr'] + self.err)

    def wait_for(self, *texts, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not all(t in self.out + self.err for t in texts):
            assert time.monotonic() < deadline, f'waited for {texts}; got:\n{self.text()}'
            time.sleep(0.02)

    def signal(self, signum):
        self.proc.send_signal(signum)

    def finish(self, timeout=10.0):
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f'the launcher did not end:\n{self.text()}') from None
        for reader in self.readers:
            reader.join(2)
        return code, time.monotonic() - self.start


def _nodes(**scripts):
    return [{'name': name, 'script': script} for name, script in scripts.items()]


@pytest.mark.parametrize('signum', [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_reaches_every_node_as_sigint_and_exits_0(signum):
    run = LauncherRun(_nodes(a=GRACEFUL, b=GRACEFUL))
    run.wait_for('[a] ready', '[b] ready')
    run.signal(signum)
    code, _ = run.finish()
    assert code == 0, run.text()
    assert '[a] got SIGINT' in run.out and '[b] got SIGINT' in run.out
    assert f'[launch] {signal.Signals(signum).name} received: stopping the nodes' in run.err


def test_a_repeated_signal_right_after_the_first_is_not_an_escalation():
    run = LauncherRun(_nodes(a=STUBBORN), term=2.0)
    run.wait_for('[a] ready')
    run.signal(signal.SIGINT)
    run.wait_for('[launch] SIGINT received: stopping the nodes')
    run.signal(signal.SIGINT)  # as `timeout` or a kill of the process group delivers it again
    run.wait_for('[a] ignoring SIGINT')
    code, elapsed = run.finish()
    assert any('received again' in line and 'ignored' in line for line in run.err), run.text()
    assert '[a] got SIGTERM' in run.out and elapsed >= 2.0  # escalated by the timeout only
    assert code == 1


def test_stop_escalates_from_sigint_to_sigterm_to_sigkill():
    run = LauncherRun(_nodes(graceful=GRACEFUL, stubborn=STUBBORN, immortal=IMMORTAL),
                      term=0.5, kill=0.5)
    run.wait_for('[graceful] ready', '[stubborn] ready', '[immortal] ready')
    run.signal(signal.SIGINT)
    code, elapsed = run.finish()
    assert code == 1, run.text()  # not a clean stop
    assert '[graceful] got SIGINT' in run.out
    assert '[stubborn] ignoring SIGINT' in run.out and '[stubborn] got SIGTERM' in run.out
    assert '[immortal] ignoring SIGTERM' in run.out
    assert any(line.startswith('[launch] immortal still running') and
               line.endswith('after SIGTERM: sending SIGKILL') for line in run.err), run.text()
    assert '[launch] immortal exited with signal SIGKILL' in run.err
    assert not any('graceful still running' in line for line in run.err)
    assert 1.0 <= elapsed < 6.0


def test_another_signal_later_takes_the_next_step_at_once():
    run = LauncherRun(_nodes(stubborn=STUBBORN), term=60.0)
    run.wait_for('[stubborn] ready')
    run.signal(signal.SIGINT)
    run.wait_for('[stubborn] ignoring SIGINT')
    time.sleep(REPEAT_S + 0.2)
    run.signal(signal.SIGINT)
    code, elapsed = run.finish()
    assert '[stubborn] got SIGTERM' in run.out, run.text()
    assert code == 1 and elapsed < 8.0


def test_a_required_node_that_exits_stops_the_others_and_fails_naming_it():
    run = LauncherRun(_nodes(steady=GRACEFUL, flaky=_standin(exit_after=0.3, code=3)))
    code, _ = run.finish()
    assert code == 1, run.text()
    assert '[flaky] ready' in run.out and '[flaky] last words' in run.out  # unfinished line too
    assert '[flaky] something broke' in run.err  # stderr stays stderr
    assert '[launch] flaky exited with code 3' in run.err
    assert '[steady] got SIGINT' in run.out
    assert run.err[-1] == '[launch] launch failed: flaky exited with code 3'


def test_an_optional_node_that_exits_leaves_the_others_running():
    nodes = _nodes(steady=GRACEFUL, viewer=_standin(exit_after=0.1, code=1))
    nodes[1]['required'] = False
    run = LauncherRun(nodes)
    run.wait_for('[launch] viewer exited with code 1')
    time.sleep(0.3)
    assert run.proc.poll() is None and '[steady] got SIGINT' not in run.out, run.text()
    run.signal(signal.SIGINT)
    code, _ = run.finish()
    assert code == 0, run.text()


def test_a_node_that_cannot_start_stops_those_already_started():
    run = LauncherRun(_nodes(first=GRACEFUL, missing='/nonexistent/robomamba/node'))
    code, _ = run.finish()
    assert code == 1, run.text()
    assert any(line.startswith('[launch] cannot start missing') for line in run.err)
    assert '[first] got SIGINT' in run.out or '[first] ready' not in run.out
    assert run.err[-1] == '[launch] launch failed: missing could not start'
