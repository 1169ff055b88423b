# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""Pictures a person looks at: the sample grid of a dataset and the success-rate table."""

import pathlib

import cv2
import numpy as np

from robomamba_ros import geometry

_UP_BGR = (40, 40, 230)
_FORWARD_BGR = (40, 200, 40)
_POINT_BGR = (0, 220, 255)


def draw_action(image_bgr, K, point_cam_m, up_cam, forward_cam, length_m=0.1):
    """
    Draw a contact point and the gripper's up (red) and forward (green) axes on an image.

    :param image_bgr: uint8 (H, W, 3), drawn on in place.
    :param K: intrinsics, ROS convention.
    :param point_cam_m: contact point in the optical frame.
    :param up_cam: up axis in the optical frame.
    :param forward_cam: forward axis in the optical frame.
    :param length_m: drawn axis length.
    """
    p = np.asarray(point_cam_m, dtype=np.float64)
    u, v = geometry.project(p, K)
    start = (int(round(u)), int(round(v)))
    for axis, color in ((up_cam, _UP_BGR), (forward_cam, _FORWARD_BGR)):
        end = p + length_m * np.asarray(axis, dtype=np.float64)
        if end[2] <= 0.0:
            continue
        eu, ev = geometry.project(end, K)
        cv2.arrowedLine(image_bgr, start, (int(round(eu)), int(round(ev))), color, 2,
                        tipLength=0.25)
    cv2.circle(image_bgr, start, 4, _POINT_BGR, -1)


def sample_grid(dataset_dir, records, path, columns=4):
    """
    Tile sample images with their actions into one PNG.

    :param dataset_dir: dataset folder (record paths are relative to it).
    :param records: records to draw.
    :param path: output PNG path.
    :param columns: tiles per row.
    :return: the path, or None when there was nothing to draw.
    """
    tiles = []
    for record in records:
        image = cv2.imread(str(pathlib.Path(dataset_dir) / record['rgb']))
        if image is None:
            continue
        if record.get('valid'):
            K = np.array(record['K']).reshape(3, 3)
            length = 0.1 * max(1.0, float(record['point_cam_m'][2]) / 2.0)
            draw_action(image, K, record['point_cam_m'], record['up_cam'],
                        record['forward_cam'], length)
        text = f'{record["category"]} {"ok" if record.get("success") else "fail"}'
        cv2.putText(image, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3)
        cv2.putText(image, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        tiles.append(image)
    if not tiles:
        return None
    height, width = tiles[0].shape[:2]
    rows = (len(tiles) + columns - 1) // columns
    grid = np.full((rows * height, min(columns, len(tiles)) * width, 3), 255, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        grid[r * height:(r + 1) * height, c * width:(c + 1) * width] = tile
    cv2.imwrite(str(path), grid)
    return path


def success_table(rows, seen, unseen, path, title='Success rate (pull)'):
    """
    Draw success rates as a table in the style of the RoboMamba / ManipLLM Table 2.

    :param rows: ``{policy name: {category: rate, 'seen': mean, 'unseen': mean, 'mean': mean}}``.
    :param seen: seen category names (column order).
    :param unseen: unseen category names.
    :param path: output PNG path.
    :param title: figure title.
    :return: the path.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    columns = list(seen) + ['seen avg'] + list(unseen) + ['unseen avg', 'mean']
    keys = list(seen) + ['seen'] + list(unseen) + ['unseen', 'mean']
    cells = [[_cell(values.get(k)) for k in keys] for values in rows.values()]
    labels = [c.replace('_', '\n') for c in columns]
    fig_width = max(8.0, 0.85 * len(columns) + 1.5)
    fig, ax = plt.subplots(figsize=(fig_width, 1.2 + 0.45 * len(rows)))
    ax.axis('off')
    table = ax.table(cellText=cells, rowLabels=list(rows), colLabels=labels, loc='center',
                     cellLoc='center')
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1.0, 2.0)
    for (r, c), cell in table.get_celld().items():
        if r == 0:
            cell.set_height(cell.get_height() * 1.4)
        if c >= 0 and columns[c] in ('seen avg', 'unseen avg', 'mean'):
            cell.set_facecolor('#eeeeee')
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def _cell(value):
    return '-' if value is None else f'{100.0 * value:.0f}'


__all__ = ['draw_action', 'sample_grid', 'success_table']
