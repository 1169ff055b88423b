# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Build for both worlds: `colcon build` (ament_python) and `pip install -e .[extras]`."""

from glob import glob
import os
import re

from setuptools import find_packages, setup

PACKAGE = 'robomamba_ros'


def _tree(folder):
    """data_files entries installing every file under ``folder`` into share/<package>/."""
    entries = {}
    for root, _, files in os.walk(folder):
        for name in files:
            entries.setdefault(os.path.join('share', PACKAGE, root), []).append(
                os.path.join(root, name))
    return sorted(entries.items())


def _version():
    # Read, not import: the package's dependencies may not be installed at build time.
    with open(os.path.join(PACKAGE, '__init__.py'), encoding='utf-8') as f:
        return re.search(r"^__version__ = '([^']+)'", f.read(), re.M).group(1)


# Heavy or platform-specific pieces are extras; ROS users get numpy/yaml/opencv from rosdep.
EXTRAS = {
    # The Franka Panda's URDF and meshes (franka_description, Apache-2.0) for the simulated arm.
    'sim': ['sapien==3.0.3', 'example-robot-data==6.0.0'],
    'test': [
        'pytest>=8',
        'hypothesis>=6.100',
        'flake8>=7',
        'flake8-blind-except',
        'flake8-builtins',
        'flake8-class-newline',
        'flake8-comprehensions',
        'flake8-deprecated',
        'flake8-docstrings',
        'flake8-import-order',
        'flake8-quotes',
        'pydocstyle>=6.3',
        'colcon-core>=0.17',
        'colcon-ros>=0.5',
    ],
    # GPU machines only: the selective-scan and conv kernels our Mamba block calls when they
    # import (robomamba_ros/models/mamba_block.py names the functions it uses).
    'cuda': ['mamba-ssm>=2.2,<3', 'causal-conv1d>=1.4,<2'],
    # Needs torchvision, which only exists as a CUDA build on the registries: CUDA machines only.
    'clip': ['open_clip_torch>=2.24'],
}

setup(
    name=PACKAGE,
    version=_version(),
    description='RoboMamba and Decision MetaMamba manipulation for ROS 2 and SAPIEN.',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    maintainer='robomamba_ros maintainers',
    maintainer_email='maintainers@robomamba-ros.dev',
    python_requires='>=3.10',
    packages=find_packages(exclude=['test', 'test.*']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + PACKAGE]),
        ('share/' + PACKAGE, ['package.xml']),
        ('share/' + PACKAGE + '/launch', glob('launch/*.launch.py')),
        ('share/' + PACKAGE + '/config', glob('config/*.yaml')),
    ] + _tree('models'),
    # Ranges a user may install into; CI installs the exact versions of constraints/lock.txt.
    # Upper bounds sit at the next major release of the libraries whose APIs we call deeply.
    install_requires=[
        'setuptools',
        'numpy>=1.24,<3',
        'pyyaml>=6',
        'rosbags>=0.10',
        'mcap>=1.2',  # reads MCAP files record by record (truncated recordings)
        'tqdm>=4.60',
        'torch>=2.4,<3',  # nn.RMSNorm
        'transformers>=5.0,<6',  # CLIP/SigLIP, tokenizers, the Decision Transformer baseline
        'safetensors>=0.4',
        'opencv-python>=4.8',
        'matplotlib>=3.7',
        'pillow>=9',
        'h5py>=3.8',
    ],
    extras_require=EXTRAS,
    zip_safe=True,
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [
            'robomamba-ros = robomamba_ros.cli:main',
            'robomamba_node = robomamba_ros.nodes.robomamba_node:main',
            'dmm_node = robomamba_ros.nodes.dmm_node:main',
            'sapien_bridge = robomamba_ros.nodes.sapien_bridge:main',
        ],
    },
)
