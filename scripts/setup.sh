#!/usr/bin/env bash
# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
#
# Idempotent setup on Debian/Ubuntu: system pieces for SAPIEN's CPU rendering (Vulkan loader and a
# Mesa >= 24 lavapipe), then a virtual environment in .venv with the package and its extras.
# Every step checks first and skips what is already there. Python packages are installed at the
# exact versions of constraints/lock.txt (what CI tested). Environment knobs:
#   ROBOMAMBA_EXTRAS      extras to install (default: sim,test)
#   ROBOMAMBA_VENV        virtual environment folder (default: .venv in the repository,
#                         .venv-unpinned with ROBOMAMBA_UNPINNED=1)
#   ROBOMAMBA_UNPINNED=1  ignore the lock and upgrade every dependency to its newest release
#                         within setup.py's ranges (to try new releases; not what CI tested)
#   ROBOMAMBA_TORCH_INDEX extra pip index for PyTorch's CPU wheels when the machine has no local copy
#   ROBOMAMBA_SKIP_SYSTEM=1  do not touch system packages
#   ROBOMAMBA_ROS=1       also ROS 2 from the package index's wheels (rclpy, messages, tf2_msgs
#                         built here) unless a sourced ROS 2 provides them: scripts/setup_ros.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UNPINNED=${ROBOMAMBA_UNPINNED:-0}
[ "$UNPINNED" = 0 ] && UNPINNED=
if [ -n "$UNPINNED" ]; then VENV=${ROBOMAMBA_VENV:-$ROOT/.venv-unpinned}; else VENV=${ROBOMAMBA_VENV:-$ROOT/.venv}; fi
EXTRAS=${ROBOMAMBA_EXTRAS:-sim,test}
ROS=${ROBOMAMBA_ROS:-0}
[ "$ROS" = 0 ] && ROS=
PYTHON=${PYTHON:-python3}
export DEBIAN_FRONTEND=noninteractive

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else return 1
  fi
}

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
}

# Major version of the installed Mesa Vulkan drivers, or 0.
mesa_major() {
  local v
  v=$(dpkg-query -W -f='${Status} ${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  case "$v" in
    'install ok installed '*) v=${v##* }; v=${v#*:}; echo "${v%%.*}" ;;
    *) echo 0 ;;
  esac
}

# Capture first: with pipefail, `producer | grep -q` fails when grep closes the pipe early.
have_lib() { local libs; libs=$(ldconfig -p 2>/dev/null || true); [[ "$libs" == *"$1"* ]]; }

have_pkg() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == 'install ok installed' ]]; }

# Debian 12 ships Mesa 22, whose lavapipe SAPIEN rejects; bookworm-backports has a newer one.
# The backports entry copies the machine's own Debian source (same mirror), only the suite changes.
add_backports() {
  local list=/etc/apt/sources.list.d/robomamba-backports.sources
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return 0; fi
  local src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ]; then
    awk 'BEGIN{RS="";ORS="\n\n"} /Suites:[^\n]*bookworm( |\n|$)/ {print; exit}' "$src" \
      | sed -e 's/^Suites:.*/Suites: bookworm-backports/' -e '/^#/d' > /tmp/robomamba-backports
  elif [ -f /etc/apt/sources.list ]; then
    # One-line format: reuse the first plain bookworm line's mirror and components.
    awk '$1=="deb" && $3=="bookworm" {$3="bookworm-backports"; print "Types: deb"; print "URIs: " $2;
         print "Suites: " $3; printf "Components:"; for (i=4;i<=NF;i++) printf " %s", $i; print "";
         exit}' /etc/apt/sources.list > /tmp/robomamba-backports
  fi
  if [ ! -s /tmp/robomamba-backports ]; then
    log 'warning: no Debian bookworm source found to derive bookworm-backports from'; return 1
  fi
  as_root cp /tmp/robomamba-backports "$list"
  APT_UPDATED=0
  log "added $list"
}

setup_system() {
  if [ "${ROBOMAMBA_SKIP_SYSTEM:-0}" = 1 ]; then log 'system packages: skipped (ROBOMAMBA_SKIP_SYSTEM=1)'; return; fi
  if ! command -v apt-get >/dev/null 2>&1; then log 'system packages: no apt-get, skipped'; return; fi
  if ! as_root true 2>/dev/null; then
    log 'warning: not root and no password-less sudo: install libvulkan1 and mesa-vulkan-drivers (Mesa >= 24) yourself'
    return
  fi
  local need=()
  if [ "$(mesa_major)" -lt 24 ]; then
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    if [ "$codename" = bookworm ]; then
      add_backports && apt_update_once \
        && as_root apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 \
        && log "installed mesa-vulkan-drivers $(mesa_major).x from bookworm-backports" \
        || log 'warning: could not install Mesa from bookworm-backports; SAPIEN rendering will fail'
    else
      need+=(mesa-vulkan-drivers)
    fi
  fi
  "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
  have_pkg libvulkan1 || need+=(libvulkan1)
  # opencv-python (a dependency of sapien too) links against the system's libGL.
  have_lib libGL.so.1 || need+=(libgl1)
  if [ ${#need[@]} -gt 0 ]; then
    apt_update_once
    as_root apt-get install -y -qq "${need[@]}"
    log "installed ${need[*]}"
  fi
  log "system packages: libvulkan1 present, mesa-vulkan-drivers $(mesa_major).x"
}

setup_venv() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    log "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # Reinstall only when what decides the install changed.
  local stamp="$VENV/.robomamba-install"
  local want
  want=$(cat "$ROOT/setup.py" "$ROOT/pyproject.toml" "$ROOT/constraints/cpu.txt" \
         "$ROOT/constraints/lock.txt" \
         <(echo "$EXTRAS ${ROBOMAMBA_TORCH_INDEX:-} unpinned=${UNPINNED:-0}") \
         | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
     && "$VENV/bin/python" -c 'import robomamba_ros' 2>/dev/null; then
    log "python packages: up to date in $VENV"
    return
  fi
  local pip_args=(install -q -e "$ROOT[$EXTRAS]")
  local gpu=
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then gpu=1; fi
  if [ -n "$UNPINNED" ]; then
    log 'ROBOMAMBA_UNPINNED=1: newest releases within setup.py ranges, not the tested lock'
    pip_args+=(--upgrade --upgrade-strategy eager)
    [ -n "$gpu" ] || pip_args+=(-c "$ROOT/constraints/cpu.txt")
  elif [ -n "$gpu" ]; then
    # The lock names the CPU build of torch; a GPU machine takes the CUDA build of that release.
    log 'NVIDIA GPU found: installing the CUDA build of PyTorch'
    grep -v '^torch==' "$ROOT/constraints/lock.txt" > "$VENV/lock-gpu.txt"
    pip_args+=(-c "$VENV/lock-gpu.txt" "torch==$(sed -n 's/^torch==\([^+]*\).*/\1/p' \
      "$ROOT/constraints/lock.txt")")
  else
    pip_args+=(-c "$ROOT/constraints/lock.txt")
  fi
  if [ -n "${ROBOMAMBA_TORCH_INDEX:-}" ]; then pip_args+=(--extra-index-url "$ROBOMAMBA_TORCH_INDEX"); fi
  log "installing python packages into $VENV (extras: $EXTRAS)"
  "$VENV/bin/python" -m pip "${pip_args[@]}"
  echo "$want" > "$stamp"
  log 'python packages: installed'
}

setup_system
setup_venv
if [ -n "$ROS" ]; then
  ROBOMAMBA_VENV=$VENV bash "$ROOT/scripts/setup_ros.sh"
fi
