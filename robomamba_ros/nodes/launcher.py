# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
``robomamba-ros launch``: start the manipulation nodes as OS processes, without ``ros2 launch``.

For machines with the ROS 2 wheels from the package index, where ``launch`` and ``launch_ros``
cannot be installed. It starts the processes of
:func:`~robomamba_ros.nodes.launch_plan.launch_plan` with the command lines ``launch_ros`` gives
them (``<executable> --ros-args -r __node:=<name> --params-file <file> ...``, the launch
arguments' values as ``-p name:=value`` after the files) and supervises them like ``launch``:

* every line a node writes is printed with ``[<node name>]`` in front, its stdout on stdout and
  its stderr on stderr;
* SIGINT, SIGTERM or SIGHUP to the launcher stops every node: SIGINT first, SIGTERM
  :data:`SIGTERM_TIMEOUT_S` later to those still running, SIGKILL :data:`SIGKILL_TIMEOUT_S`
  after that; another signal to the launcher, a second or more after the last step, takes the
  next step at once;
* when a required node exits on its own, the others are stopped the same way and the launcher
  exits 1, naming the node and its exit status.

Exit status: 0 after a stop asked for by a signal in which every node ended on its SIGINT
(status 0, or killed by SIGINT); 1 otherwise.

Each node runs in a process group of its own: the terminal's Ctrl-C reaches the nodes once,
through the launcher, and the launcher's signals reach a node's own child processes too.
"""

import os
from pathlib import Path
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

from robomamba_ros.nodes.launch_plan import PACKAGE

#: Seconds from SIGINT to SIGTERM for a node still running (``launch``'s ``sigterm_timeout``).
SIGTERM_TIMEOUT_S = 5.0
#: Seconds from SIGTERM to SIGKILL (``launch``'s ``sigkill_timeout``).
SIGKILL_TIMEOUT_S = 5.0
#: Seconds between looks at the processes and the received signals.
POLL_S = 0.02
#: Signals to the launcher that stop the launch.
STOP_SIGNALS = ('SIGINT', 'SIGTERM', 'SIGHUP')
#: Seconds after a step during which another signal is taken for a copy of the one that caused
#: it (``timeout`` and process-group kills deliver one signal twice) and ignored.
REPEAT_S = 1.0
#: Seconds to wait for a node's last output lines after it exited.
DRAIN_S = 2.0
#: Exit statuses of a node that stopped cleanly on SIGINT.
CLEAN_STATUSES = (0, -signal.SIGINT, 128 + signal.SIGINT)


def parameter_value(value):
    """
    Format a parameter value for ``-p name:=value`` (rcl reads it as YAML).

    :param value: bool, int, float or str.
    :return: the text after ``:=``; strings that YAML would read as something else are quoted.
    """
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    try:
        plain = bool(text) and text == text.strip() and '\n' not in text and \
            _yaml_scalar(text) == text
    except ValueError:
        plain = False
    return text if plain else "'" + text.replace("'", "''") + "'"


def _yaml_scalar(text):
    import yaml
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def executable_dirs(package):
    """
    Return the folders searched for a package's executables, in order.

    For this package: beside the running Python (``pip install`` puts console scripts there),
    then ``<sys.prefix>/lib/robomamba_ros`` (``setup.cfg``'s ``script_dir``); for every package:
    ``lib/<package>`` of each ``AMENT_PREFIX_PATH`` entry (colcon installs), as ``ros2 run``.

    :param package: package name.
    :return: list of :class:`~pathlib.Path` (not all of them exist).
    """
    dirs = []
    if package == PACKAGE:
        dirs += [Path(sys.executable).parent, Path(sys.prefix) / 'lib' / package]
    for prefix in filter(None, os.environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep)):
        dirs.append(Path(prefix) / 'lib' / package)
    return dirs


def executable_command(launch):
    """
    Return the command that starts a node's executable, without its ROS arguments.

    The installed executable when one is found (:func:`executable_dirs`); otherwise this package's
    nodes run from the current Python through their entry point, and other packages' executables
    are looked up on ``PATH``.

    :param launch: a :class:`~robomamba_ros.nodes.launch_plan.NodeLaunch`.
    :return: list of strings.
    :raises FileNotFoundError: when the executable is nowhere.
    """
    for folder in executable_dirs(launch.package):
        path = folder / launch.executable
        if path.is_file() and os.access(path, os.X_OK):
            return [str(path)]
    if launch.entry_point:
        module, function = launch.entry_point.split(':')
        code = (f'import sys; sys.argv[0] = {launch.executable!r}; '
                f'from {module} import {function}; sys.exit({function}())')
        return [sys.executable, '-c', code]
    found = shutil.which(launch.executable)
    if found:
        return [found]
    dirs = ', '.join(map(str, executable_dirs(launch.package)))
    where = f'not in {dirs} nor on PATH' if dirs else 'no AMENT_PREFIX_PATH and not on PATH'
    raise FileNotFoundError(f'{launch.executable} (package {launch.package}) not found: {where}')


def ros_arguments(launch):
    """
    Return a node's ROS arguments, as ``launch_ros`` passes them.

    :param launch: a :class:`~robomamba_ros.nodes.launch_plan.NodeLaunch`.
    :return: ``['--ros-args', '-r', '__node:=<name>', '--params-file', <file>, ...,
        '-p', '<name>:=<value>', ...]``.
    """
    args = ['--ros-args', '-r', f'__node:={launch.name}']
    for path in launch.param_files:
        args += ['--params-file', str(path)]
    for name, value in launch.overrides:
        args += ['-p', f'{name}:={parameter_value(value)}']
    return args


def node_command(launch):
    """
    Return the full command line of one node.

    :param launch: a :class:`~robomamba_ros.nodes.launch_plan.NodeLaunch`.
    :return: list of strings.
    """
    return executable_command(launch) + ros_arguments(launch)


def describe_status(code):
    """
    Describe a process's exit status in words.

    :param code: ``Popen.returncode`` (negative: killed by that signal).
    :return: e.g. ``'code 2'`` or ``'signal SIGKILL'``.
    """
    if code is not None and code < 0:
        try:
            return f'signal {signal.Signals(-code).name}'
        except ValueError:
            return f'signal {-code}'
    return f'code {code}'


class _Child:
    """A started node: its launch entry, process, output threads and the signals it was sent."""

    def __init__(self, launch, proc):
        self.launch = launch
        self.proc = proc
        self.pumps = []
        self.sent = []
        self.returncode = None


class Supervisor:
    """
    Start the processes of a plan and supervise them until they have all ended.

    :param launches: the :class:`~robomamba_ros.nodes.launch_plan.NodeLaunch` entries, in start
        order.
    :param command_for: callable turning an entry into its command line (default:
        :func:`node_command`); tests give stand-in processes here.
    :param stdout: stream for the nodes' stdout lines (default: ``sys.stdout``).
    :param stderr: stream for the nodes' stderr lines and the launcher's own messages (default:
        ``sys.stderr``).
    :param sigterm_timeout_s: seconds from SIGINT to SIGTERM.
    :param sigkill_timeout_s: seconds from SIGTERM to SIGKILL.
    :param env: environment of the nodes (default: this process's).
    """

    def __init__(self, launches, command_for=node_command, stdout=None, stderr=None,
                 sigterm_timeout_s=SIGTERM_TIMEOUT_S, sigkill_timeout_s=SIGKILL_TIMEOUT_S,
                 env=None):
        self.launches = list(launches)
        self.command_for = command_for
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.sigterm_timeout_s = float(sigterm_timeout_s)
        self.sigkill_timeout_s = float(sigkill_timeout_s)
        self.env = dict(os.environ if env is None else env, PYTHONUNBUFFERED='1')
        self._lock = threading.Lock()
        self._pending = []
        self._children = []
        self._stage = None
        self._stage_since = 0.0
        self._requested = None
        self._failure = None

    # Output.

    def _write(self, stream, text):
        with self._lock:
            try:
                stream.write(text)
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed terminal must not stop the nodes' pipes from draining

    def _log(self, text):
        self._write(self.stderr, f'[launch] {text}\n')

    def _pump(self, pipe, label, stream):
        try:
            for raw in iter(pipe.readline, b''):
                line = raw.decode('utf-8', 'replace').rstrip('\r\n')
                self._write(stream, f'[{label}] {line}\n')
        finally:
            pipe.close()

    # Signals.

    def _on_os_signal(self, signum, frame):
        self._pending.append(signum)

    def _install_handlers(self):
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for name in STOP_SIGNALS:
            signum = getattr(signal, name, None)
            if signum is not None:
                previous[signum] = signal.signal(signum, self._on_os_signal)
        return previous

    @staticmethod
    def _restore_handlers(previous):
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)

    def _send(self, child, signum):
        child.sent.append(signum)
        try:
            os.killpg(child.proc.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            child.proc.send_signal(signum)

    # The launch.

    def _start(self, launch):
        try:
            cmd = self.command_for(launch)
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=self.env, start_new_session=True)
        except (OSError, ValueError) as exc:
            self._log(f'cannot start {launch.name}: {exc}')
            self._failure = (launch.name, None)
            self._begin_stop()
            return False
        child = _Child(launch, proc)
        for pipe, stream in ((proc.stdout, self.stdout), (proc.stderr, self.stderr)):
            pump = threading.Thread(target=self._pump, args=(pipe, launch.name, stream),
                                    name=f'launch-{launch.name}', daemon=True)
            pump.start()
            child.pumps.append(pump)
        self._children.append(child)
        self._log(f'started {launch.name} (pid {proc.pid})')
        return True

    def _running(self):
        return [c for c in self._children if c.returncode is None]

    def _begin_stop(self):
        self._stage = signal.SIGINT
        self._stage_since = time.monotonic()
        for child in self._running():
            self._send(child, signal.SIGINT)

    def _escalate(self):
        if self._stage == signal.SIGKILL:
            return
        waited = time.monotonic() - self._stage_since
        following = signal.SIGTERM if self._stage == signal.SIGINT else signal.SIGKILL
        for child in self._running():
            self._log(f'{child.launch.name} still running {waited:.1f} s after '
                      f'{self._stage.name}: sending {following.name}')
            self._send(child, following)
        self._stage = following
        self._stage_since = time.monotonic()

    def _on_signal(self, signum):
        name = signal.Signals(signum).name
        if self._stage is None:
            self._requested = name
            self._log(f'{name} received: stopping the nodes')
            self._begin_stop()
        elif time.monotonic() - self._stage_since < REPEAT_S:
            self._log(f'{name} received again within {REPEAT_S:g} s of {self._stage.name}: '
                      'ignored')
        else:
            self._log(f'{name} received again')
            self._escalate()

    def _on_exit(self, child):
        name = child.launch.name
        self._log(f'{name} exited with {describe_status(child.returncode)}')
        if self._stage is None and child.launch.required:
            self._failure = (name, child.returncode)
            self._log(f'{name} is required: stopping the others')
            self._begin_stop()

    def _supervise(self):
        while True:
            while self._pending:
                self._on_signal(self._pending.pop(0))
            for child in self._running():
                code = child.proc.poll()
                if code is not None:
                    child.returncode = code
                    self._on_exit(child)
            if not self._running():
                return
            if self._stage is not None and self._stage != signal.SIGKILL:
                timeout = (self.sigterm_timeout_s if self._stage == signal.SIGINT
                           else self.sigkill_timeout_s)
                if time.monotonic() - self._stage_since >= timeout:
                    self._escalate()
            time.sleep(POLL_S)

    def _drain(self):
        deadline = time.monotonic() + DRAIN_S
        for child in self._children:
            for pump in child.pumps:
                pump.join(max(0.0, deadline - time.monotonic()))

    def _exit_status(self):
        if self._failure is not None:
            name, code = self._failure
            what = 'could not start' if code is None else f'exited with {describe_status(code)}'
            self._log(f'launch failed: {name} {what}')
            return 1
        if self._requested is not None:
            unclean = [c for c in self._children if c.sent and (
                c.sent[-1] != signal.SIGINT or c.returncode not in CLEAN_STATUSES)]
            if unclean:
                self._log('stopped, not cleanly: ' + ', '.join(
                    f'{c.launch.name} ended with {describe_status(c.returncode)} after '
                    f'{c.sent[-1].name}' for c in unclean))
                return 1
            return 0
        return 0 if all(c.returncode == 0 for c in self._children) else 1

    def run(self):
        """
        Start every process, supervise them until all have ended, and return the exit status.

        Signal handlers for :data:`STOP_SIGNALS` are installed while it runs when called from the
        main thread.

        :return: 0 after a clean stop asked for by a signal, 1 otherwise.
        """
        previous = self._install_handlers()
        try:
            for launch in self.launches:
                if self._pending or self._stage is not None or not self._start(launch):
                    break
            self._supervise()
        finally:
            for child in self._running():  # only after an unexpected error: leave no orphans
                self._send(child, signal.SIGKILL)
                child.returncode = child.proc.wait()
            self._restore_handlers(previous)
        self._drain()
        return self._exit_status()


def shell_quote(arg):
    """
    Quote one argument for a POSIX shell, preferring double quotes around single ones.

    :param arg: the argument.
    :return: ``arg`` itself when it needs no quotes, else a quoted form.
    """
    quoted = shlex.quote(arg)
    if quoted != arg and "'" in arg and not any(c in arg for c in '"$`\\!'):
        return f'"{arg}"'
    return quoted


def dry_run(launches, command_for=node_command, out=None):
    """
    Print the command line of each process, one per line, quoted for a POSIX shell.

    :param launches: the plan's entries.
    :param command_for: as for :class:`Supervisor`.
    :param out: stream (default: ``sys.stdout``).
    """
    out = out if out is not None else sys.stdout
    for launch in launches:
        out.write(' '.join(map(shell_quote, command_for(launch))) + '\n')


__all__ = ['CLEAN_STATUSES', 'POLL_S', 'REPEAT_S', 'SIGKILL_TIMEOUT_S', 'SIGTERM_TIMEOUT_S',
           'STOP_SIGNALS', 'Supervisor', 'describe_status', 'dry_run', 'executable_command',
           'executable_dirs', 'node_command', 'parameter_value', 'ros_arguments', 'shell_quote']
