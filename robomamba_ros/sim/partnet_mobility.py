# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Load PartNet-Mobility style folders behind the same interface as the procedural categories.

A folder holds ``mobility.urdf`` (meshes referenced relative to it) and, optionally,
``meta.json`` (``{"model_cat": "Microwave", ...}``) and ``semantics.txt`` (one line per link:
``link_0 hinge door``). The loader picks one movable joint (by child link name, or the first
revolute/prismatic joint whose link semantics name a movable part) and returns an
:class:`~robomamba_ros.sim.objects.articulated_object.ArticulatedObject`. Nothing is downloaded:
users point it at folders they have locally.
"""

import json
import pathlib

import numpy as np
import sapien

from robomamba_ros.sim.objects.articulated_object import ArticulatedObject

# Link semantics (third column of semantics.txt) that name parts a pull can move.
MOVABLE_SEMANTICS = ('door', 'drawer', 'lid', 'rotation_lid', 'lever', 'switch', 'handle',
                     'button', 'slider', 'slider_drawer', 'rotation_door', 'board')


def read_semantics(folder):
    """
    Parse ``semantics.txt``.

    :param folder: the object folder.
    :return: ``{link name: (joint kind, semantic label)}``; empty when the file is missing.
    """
    path = pathlib.Path(folder) / 'semantics.txt'
    table = {}
    if path.is_file():
        for line in path.read_text(encoding='utf-8').splitlines():
            fields = line.split()
            if len(fields) >= 3:
                table[fields[0]] = (fields[1], fields[2])
    return table


def read_category(folder):
    """
    Category name from ``meta.json`` (``model_cat``), else the folder name.

    :param folder: the object folder.
    :return: lower-case category name.
    """
    folder = pathlib.Path(folder)
    meta = folder / 'meta.json'
    if meta.is_file():
        try:
            name = json.loads(meta.read_text(encoding='utf-8')).get('model_cat')
        except json.JSONDecodeError as exc:
            raise ValueError(f'{meta} is not valid JSON: {exc}') from exc
        if name:
            return str(name).lower()
    return folder.name.lower()


def _joint_kind(joint_type):
    if joint_type.startswith('revolute') or joint_type == 'continuous':
        return 'revolute'
    if joint_type == 'prismatic':
        return 'prismatic'
    return None


def load_partnet_mobility(scene, folder, render=False, link_name=None, scale=1.0):
    """
    Load one PartNet-Mobility object with its root fixed at the world origin.

    :param scene: the ``sapien.Scene``.
    :param folder: folder with ``mobility.urdf``.
    :param render: load visual meshes too (needs a render system); physics-only otherwise.
    :param link_name: child link of the joint to use (default: first movable-looking joint).
    :param scale: uniform scale applied by the URDF loader.
    :return: an :class:`ArticulatedObject` with the chosen joint at its lower limit.
    :raises FileNotFoundError: when ``mobility.urdf`` is missing.
    :raises ValueError: when no revolute or prismatic joint qualifies.
    """
    folder = pathlib.Path(folder)
    urdf = folder / 'mobility.urdf'
    if not urdf.is_file():
        raise FileNotFoundError(f'no mobility.urdf in {folder}')
    loader = scene.create_urdf_loader()
    loader.fix_root_link = True
    loader.scale = float(scale)
    builder = loader.load_file_as_articulation_builder(str(urdf))
    if not render:
        for link_builder in builder.link_builders:
            link_builder.visual_records = []
    articulation = builder.build(fix_root_link=True)
    articulation.set_name(read_category(folder))
    articulation.set_root_pose(sapien.Pose())

    semantics = read_semantics(folder)
    joints = articulation.get_active_joints()
    candidates = []
    for index, joint in enumerate(joints):
        kind = _joint_kind(joint.type)
        child = joint.get_child_link().name
        if kind is None:
            continue
        if link_name is not None:
            if child == link_name:
                candidates = [(index, kind, child)]
                break
            continue
        label = semantics.get(child, ('', ''))[1]
        if not semantics or label in MOVABLE_SEMANTICS:
            candidates.append((index, kind, child))
    if not candidates:
        wanted = f'link {link_name!r}' if link_name else 'a movable part'
        raise ValueError(f'{urdf}: no revolute or prismatic joint for {wanted}; joints: '
                         f'{[(j.name, j.type, j.get_child_link().name) for j in joints]}')
    index, kind, child = candidates[0]
    lower, upper = articulation.get_qlimits()[index]
    if not (np.isfinite(lower) and np.isfinite(upper)) or not upper > lower:
        raise ValueError(f'{urdf}: joint of {child!r} needs finite limits, got {lower}, {upper}')

    scene.step()  # refresh link poses for the bounds below and for ray casts
    boxes = [link.compute_global_aabb_tight() for link in articulation.get_links()
             if link.get_collision_shapes()]
    low = np.min([b[0] for b in boxes], axis=0)
    high = np.max([b[1] for b in boxes], axis=0)
    obj = ArticulatedObject(
        articulation=articulation, category=read_category(folder),
        part_name=semantics.get(child, ('', 'part'))[1], joint_type=kind, joint_index=index,
        movable_link=joints[index].get_child_link(),
        bounding_radius_m=float(np.linalg.norm(high - low) / 2.0), center_m=(low + high) / 2.0,
        params={'folder': str(folder), 'link': child, 'scale': float(scale)}, scene=scene)
    obj.set_q(lower)
    return obj


class PartNetMobilitySource:
    """
    A PartNet-Mobility folder used like a procedural category (e.g. ``Episode(source, seed)``).

    The object is the same for every seed; the seed still varies the camera and the start state.

    :param folder: folder with ``mobility.urdf``.
    :param link_name: child link of the joint to use (default: first movable-looking joint).
    :param scale: uniform scale.
    :param split: ``'seen'`` or ``'unseen'``, recorded with results.
    """

    def __init__(self, folder, link_name=None, scale=1.0, split='unseen'):
        self.folder = pathlib.Path(folder)
        if not (self.folder / 'mobility.urdf').is_file():
            raise FileNotFoundError(f'no mobility.urdf in {self.folder}')
        if split not in ('seen', 'unseen'):
            raise ValueError(f"split must be 'seen' or 'unseen', got {split!r}")
        self.name = read_category(self.folder)
        self.link_name = link_name
        self.scale = scale
        self.split = split

    def build(self, scene, seed, render=False):
        """
        Load the object (``seed`` is ignored: the asset is fixed).

        :param scene: the ``sapien.Scene``.
        :param seed: unused.
        :param render: load visual meshes too.
        :return: an :class:`ArticulatedObject`.
        """
        return load_partnet_mobility(scene, self.folder, render, self.link_name, self.scale)


__all__ = [
    'MOVABLE_SEMANTICS',
    'PartNetMobilitySource',
    'load_partnet_mobility',
    'read_category',
    'read_semantics',
]
