# Copyright 2026 The robomamba_ros Authors
# SPDX-License-Identifier: Apache-2.0
"""
Pictures a person looks at.

The sample grid of a dataset, the success-rate table of an evaluation, and for ``demo`` the
captioned frame grid (:func:`episode_caption`, :func:`caption_grid`) and the success bar chart
per category (:func:`success_bar_chart`).
"""

import pathlib
import textwrap

import cv2
import numpy as np

from robomamba_ros import geometry

_UP_BGR = (40, 40, 230)
_FORWARD_BGR = (40, 200, 40)
_POINT_BGR = (0, 220, 255)
#: Largest file written by :func:`caption_grid` and :func:`success_bar_chart` by default (bytes).
MAX_FIGURE_BYTES = 1_000_000
_OK_RGB = (20, 140, 40)
_FAIL_RGB = (200, 30, 30)
_TEXT_RGB = (20, 20, 20)
_SPLIT_COLORS = {'seen': '#3b75af', 'unseen': '#ef8636'}


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


def shorten(text, max_chars):
    """
    Cut a text to at most ``max_chars`` characters, ending in ``...`` when cut.

    :param text: any text (whitespace runs become one space).
    :param max_chars: length limit, >= 4.
    """
    text = ' '.join(str(text).split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars - 3].rstrip()
    space = cut.rfind(' ')
    if space >= (max_chars - 3) // 2:
        cut = cut[:space]
    return cut.rstrip(' ,.;:') + '...'


def _split(record):
    split = record.get('split')
    if split in ('seen', 'unseen'):
        return split
    from robomamba_ros.sim.categories import split_of
    return split_of(record['category'])


def episode_caption(record, max_chars=42):
    """
    Build the caption lines of one demo episode from its record.

    :param record: an episode record of ``robomamba-ros demo`` (the bridge's result record:
        ``episode_index``, ``category``, ``split``, ``instruction``, ``success``, ``reason``,
        ``end``, ``duration_s``, ``open_fraction``; and the demo's ``contact_pixel_uv`` and
        ``goal``).
    :param max_chars: longest line.
    :return: six lines: episode, category and split; the instruction over two lines (shortened
        with ``...`` beyond); the outcome (``success``, or ``FAIL`` with the failure reason);
        how and when the episode ended and how far the part opened; the predicted contact pixel
        ``(u, v)`` and what robomamba_node did with it (``goal accepted``, ``refused (why)``).
    """
    index = record.get('episode_index')
    head = f'episode {index}: ' if index is not None else ''
    lines = [shorten(f'{head}{record["category"]} ({_split(record)})', max_chars)]
    words = textwrap.wrap(f'"{" ".join(str(record.get("instruction", "")).split())}"',
                          max_chars) or ['""']
    if len(words) > 2:
        words = [words[0], shorten(' '.join(words[1:]), max_chars)]
    lines += words + [''] * (2 - len(words))
    lines.append(shorten('success' if record.get('success') else
                         f'FAIL: {record.get("reason") or "not judged"}', max_chars))
    ended = f'ended: {record.get("end") or "?"}'
    if record.get('duration_s') is not None:
        ended += f' after {float(record["duration_s"]):.1f} s'
    if record.get('open_fraction') is not None:
        # An int: a part pushed a hair closed reads 0%, not -0%.
        ended += f', opened {round(100.0 * float(record["open_fraction"])):d}%'
    lines.append(shorten(ended, max_chars))
    pixel = record.get('contact_pixel_uv')
    goal = record.get('goal') or 'none'
    if pixel is not None and len(pixel) == 2 and np.all(np.isfinite(np.asarray(pixel, float))):
        contact = f'contact ({float(pixel[0]):.0f}, {float(pixel[1]):.0f}) px: '
        contact += 'goal accepted' if goal == 'accepted' else goal
    else:
        contact = 'no contact predicted' if goal == 'none' else f'no contact: {goal}'
    lines.append(shorten(contact, max_chars))
    return lines


def _fit_text(text, width_px, scale, thickness):
    """Shorten ``text`` until it fits ``width_px`` at this Hershey font scale."""
    while len(text) > 4 and cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale,
                                            thickness)[0][0] > width_px:
        text = shorten(text, len(text) - 1)
    return text


def _caption_tile(rgb, lines, ok, width, line_px, outcome_line):
    """Return one tile: the image scaled to ``width``, a coloured frame and the caption below."""
    h, w = rgb.shape[:2]
    height = int(round(h * width / w))
    image = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA) \
        if (h, w) != (height, width) else rgb.copy()
    border = max(2, width // 112)
    accent = _OK_RGB if ok else _FAIL_RGB
    cv2.rectangle(image, (0, 0), (width - 1, height - 1), accent, border)
    band = np.full((line_px * len(lines) + line_px // 2, width, 3), 255, np.uint8)
    scale = line_px / 40.0
    for i, line in enumerate(lines):
        color = accent if i == outcome_line else _TEXT_RGB
        thickness = 2 if i == 0 else 1
        text = _fit_text(line, width - 8, scale, thickness)
        cv2.putText(band, text, (4, line_px * (i + 1) - line_px // 4),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, color, thickness, cv2.LINE_AA)
    return np.concatenate([image, band], axis=0)


def write_png_within(image_rgb, path, max_bytes=MAX_FIGURE_BYTES):
    """
    Write an RGB image as a PNG of at most ``max_bytes``, downscaling it until it fits.

    :param image_rgb: uint8 (H, W, 3) RGB image.
    :param path: output path.
    :param max_bytes: size limit of the file.
    :return: ``(path, scale)``, the factor the image was scaled by (1.0: full size).
    :raises ValueError: when not even a 64-pixel-wide version fits.
    """
    image = cv2.cvtColor(np.ascontiguousarray(image_rgb), cv2.COLOR_RGB2BGR)
    scale = 1.0
    while True:
        if scale < 1.0:
            size = (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale)))
            scaled = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        else:
            scaled = image
        ok, data = cv2.imencode('.png', scaled, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if not ok:
            raise ValueError(f'could not encode a PNG of shape {scaled.shape}')
        if len(data) <= max_bytes:
            pathlib.Path(path).write_bytes(data.tobytes())
            return path, scale
        if scaled.shape[1] <= 64:
            raise ValueError(f'{path}: no PNG of at most {max_bytes} bytes found')
        scale *= 0.8


def caption_grid(images, captions, successes, path, outcome_line=3, columns=4, tile_width=336,
                 max_bytes=MAX_FIGURE_BYTES):
    """
    Tile images with their caption lines below into one PNG of at most ``max_bytes``.

    :param images: uint8 (H, W, 3) RGB images, one per tile.
    :param captions: the lines under each tile (see :func:`episode_caption`).
    :param successes: per tile, True (green frame and outcome line) or False (red).
    :param outcome_line: index of the caption line drawn in the tile's colour (the outcome).
    :param path: output PNG path.
    :param columns: tiles per row.
    :param tile_width: width of a tile (px) before any downscaling for the size limit.
    :param max_bytes: size limit of the file.
    :return: the path, or None when there is no image.
    :raises ValueError: when the numbers of images, captions and successes differ.
    """
    if not len(images) == len(captions) == len(successes):
        raise ValueError(f'{len(images)} images, {len(captions)} captions and '
                         f'{len(successes)} successes: one of each per tile')
    if not images:
        return None
    line_px = max(14, tile_width // 19)
    n_lines = max(len(c) for c in captions)
    tiles = [_caption_tile(np.asarray(img, np.uint8), list(lines) + [''] * (n_lines - len(lines)),
                           bool(ok), tile_width, line_px, outcome_line)
             for img, lines, ok in zip(images, captions, successes)]
    height = max(t.shape[0] for t in tiles)
    columns = max(1, min(columns, len(tiles)))
    rows = (len(tiles) + columns - 1) // columns
    gap = 4
    grid = np.full((rows * (height + gap) - gap, columns * (tile_width + gap) - gap, 3), 255,
                   np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        y, x = r * (height + gap), c * (tile_width + gap)
        grid[y:y + tile.shape[0], x:x + tile_width] = tile
    return write_png_within(grid, path, max_bytes)[0]


def success_counts(records):
    """
    Count successes per category.

    :param records: episode records (``category``, ``success``, optionally ``split``).
    :return: ``{category: (successes, episodes, split)}``, seen categories first, then by name.
    """
    counts = {}
    for record in records:
        wins, total, split = counts.get(record['category'], (0, 0, _split(record)))
        counts[record['category']] = (wins + bool(record['success']), total + 1, split)
    order = sorted(counts, key=lambda name: (counts[name][2] != 'seen', name))
    return {name: counts[name] for name in order}


def success_bar_chart(records, path, title='Success per category',
                      max_bytes=MAX_FIGURE_BYTES):
    """
    Draw the success rate per category as bars (seen blue, unseen orange, all grey).

    Each bar is labelled with ``successes/episodes``.

    :param records: episode records (``category``, ``success``, optionally ``split``).
    :param path: output PNG path.
    :param title: figure title.
    :param max_bytes: size limit of the file.
    :return: the path, or None when there is no record.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    counts = success_counts(records)
    if not counts:
        return None
    names = list(counts) + ['all']
    wins = [counts[n][0] for n in counts] + [sum(c[0] for c in counts.values())]
    totals = [counts[n][1] for n in counts] + [sum(c[1] for c in counts.values())]
    colors = [_SPLIT_COLORS.get(counts[n][2], 'grey') for n in counts] + ['#888888']
    rates = [100.0 * w / t for w, t in zip(wins, totals)]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.75 * len(names) + 1.5), 4.0), dpi=120)
    x = np.arange(len(names))
    ax.bar(x, rates, color=colors, edgecolor='black', linewidth=0.5)
    for xi, rate, w, t in zip(x, rates, wins, totals):
        ax.text(xi, rate + 1.5, f'{w}/{t}', ha='center', va='bottom', fontsize=9)
    ax.set_xticks(x, [n.replace('_', '\n') for n in names], fontsize=8)
    for label, color in zip(ax.get_xticklabels(), colors):
        label.set_color(color)
    ax.set_ylim(0.0, 112.0)
    ax.set_ylabel('success (%)')
    ax.set_title(title, fontsize=10)
    splits = sorted({counts[n][2] for n in counts}, key=lambda s: s != 'seen')
    ax.legend(handles=[Patch(color=_SPLIT_COLORS.get(s, 'grey'), label=s) for s in splits],
              loc='upper right', fontsize=8, frameon=False, ncols=len(splits))
    ax.spines[['top', 'right']].set_visible(False)
    fig.tight_layout()
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(fig)
    return write_png_within(image, path, max_bytes)[0]


__all__ = ['MAX_FIGURE_BYTES', 'caption_grid', 'draw_action', 'episode_caption', 'sample_grid',
           'shorten', 'success_bar_chart', 'success_counts', 'success_table', 'write_png_within']
