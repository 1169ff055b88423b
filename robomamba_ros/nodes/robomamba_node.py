# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Entry point of the `robomamba_node` executable (`ros2 run robomamba_ros robomamba_node`)."""

from robomamba_ros.nodes._entry import node_unavailable


def main(args=None):
    """Run the node; exits with a clear message while its core is not yet in this release."""
    node_unavailable('robomamba_node')


if __name__ == '__main__':
    main()
