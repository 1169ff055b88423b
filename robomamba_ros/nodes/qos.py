# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
The three quality-of-service profiles node ports use, as plain data.

Bindings turn these into their own objects (``rclpy.qos.QoSProfile`` under rclpy); the
in-process binding applies the same compatibility rule as DDS: a best-effort publisher never
reaches a reliable subscription.
"""

from dataclasses import dataclass

RELIABLE = 'reliable'
BEST_EFFORT = 'best_effort'
VOLATILE = 'volatile'
TRANSIENT_LOCAL = 'transient_local'


@dataclass(frozen=True)
class QosSpec:
    """
    Reliability, durability and keep-last depth of a port.

    :param name: profile name for logs and docs.
    :param reliability: ``'reliable'`` or ``'best_effort'``.
    :param durability: ``'volatile'`` or ``'transient_local'`` (late joiners get the last message).
    :param depth: keep-last history depth.
    """

    name: str
    reliability: str
    durability: str
    depth: int

    def __post_init__(self):
        if self.reliability not in (RELIABLE, BEST_EFFORT):
            raise ValueError(f'reliability must be {RELIABLE!r} or {BEST_EFFORT!r}, '
                             f'got {self.reliability!r}')
        if self.durability not in (VOLATILE, TRANSIENT_LOCAL):
            raise ValueError(f'durability must be {VOLATILE!r} or {TRANSIENT_LOCAL!r}, '
                             f'got {self.durability!r}')
        if self.depth < 1:
            raise ValueError(f'depth must be >= 1, got {self.depth!r}')


#: Camera and state streams: best effort, only the newest matters (like qos_profile_sensor_data).
SENSOR = QosSpec('sensor', BEST_EFFORT, VOLATILE, 5)
#: Goals, commands, outputs: every message matters.
COMMAND = QosSpec('command', RELIABLE, VOLATILE, 10)
#: Instructions, e-stop, results: the last value reaches nodes that start later.
LATCHED = QosSpec('latched', RELIABLE, TRANSIENT_LOCAL, 1)


def compatible(publisher, subscription):
    """
    Tell whether a subscription receives a publisher's messages (the DDS request/offer rule).

    :param publisher: the publisher's :class:`QosSpec`.
    :param subscription: the subscription's :class:`QosSpec`.
    :return: False when the subscription asks for more than the publisher offers.
    """
    if subscription.reliability == RELIABLE and publisher.reliability == BEST_EFFORT:
        return False
    if subscription.durability == TRANSIENT_LOCAL and publisher.durability == VOLATILE:
        return False
    return True


__all__ = ['BEST_EFFORT', 'COMMAND', 'LATCHED', 'QosSpec', 'RELIABLE', 'SENSOR',
           'TRANSIENT_LOCAL', 'VOLATILE', 'compatible']
