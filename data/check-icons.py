#!/usr/bin/python3
# data/check-icons.py — the app icon and its symbolic variant render, at the sizes and in the
# colours GNOME expects, as TAP
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-icons.py RSVG_CONVERT APP_ICON.svg SYMBOLIC_ICON.svg [OUTPUT_DIR]
#
# Each icon is rendered with rsvg-convert (librsvg, what GTK and the software centres use) and
# the PNG read back here (Python's standard library only). The app icon is a 128×128 canvas
# whose tile leaves the corners transparent. The symbolic icon is a 16×16 canvas drawn in fills
# of one colour only: GTK recolours a symbolic icon by overriding the fill of its shapes with the
# theme's foreground, so a stroke, a gradient or a second colour would keep its own colour and
# vanish on a dark background. The renderings (and the symbolic icon on a light and a dark
# background, enlarged) go to OUTPUT_DIR for a person to look at.

import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

SVG_NS = '{http://www.w3.org/2000/svg}'
SYMBOLIC_COLOURS = ('#bebebe', 'currentColor')

n_tests = 0
n_failed = 0


def check(ok, description, detail=None):
    global n_tests, n_failed
    n_tests += 1
    if ok:
        print(f'ok {n_tests} - {description}')
    else:
        n_failed += 1
        print(f'not ok {n_tests} - {description}')
        if detail:
            for line in str(detail).splitlines():
                print(f'# {line}')


def read_png(path):
    """(width, height, rows of (r, g, b, a) tuples) of an 8-bit RGBA or RGB PNG, as
    rsvg-convert writes them (non-interlaced)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG file')
    pos = 8
    idat = b''
    width = height = colour_type = None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            width, height, depth, colour_type, _, _, interlace = struct.unpack('>IIBBBBB', chunk)
            if depth != 8 or colour_type not in (2, 6) or interlace != 0:
                raise ValueError(f'unexpected PNG format: depth {depth}, colour type {colour_type}')
        elif kind == b'IDAT':
            idat += chunk
        elif kind == b'IEND':
            break
    channels = 4 if colour_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = []
    previous = bytearray(stride)
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xff
            elif kind == 2:
                line[i] = (line[i] + up) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xff
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + predictor) & 0xff
        rows.append([tuple(line[x * channels:x * channels + channels]) + ((255,) if channels == 3 else ())
                     for x in range(width)])
        previous = line
    return width, height, rows


def render(rsvg, svg, png, size=None):
    args = [rsvg]
    if size is not None:
        args += ['-w', str(size), '-h', str(size)]
    args += ['-o', png, svg]
    result = subprocess.run(args, capture_output=True, text=True)
    return result.returncode == 0 and os.path.getsize(png) > 0, result.stderr.strip()


def canvas(root):
    return root.get('width'), root.get('height'), root.get('viewBox')


def style_colours(root):
    """Every fill and stroke an element of the SVG sets, as attributes or in style=""."""
    found = []
    for element in root.iter():
        props = {}
        for name in ('fill', 'stroke', 'stop-color', 'fill-opacity', 'stroke-width', 'opacity'):
            if element.get(name) is not None:
                props[name] = element.get(name).strip()
        for declaration in (element.get('style') or '').split(';'):
            if ':' in declaration:
                name, value = declaration.split(':', 1)
                props[name.strip()] = value.strip()
        tag = element.tag.replace(SVG_NS, '')
        found.append((tag, props))
    return found


def main():
    if len(sys.argv) < 4:
        print('usage: check-icons.py RSVG_CONVERT APP_ICON.svg SYMBOLIC_ICON.svg [OUTPUT_DIR]',
              file=sys.stderr)
        return 2
    rsvg, app_svg, symbolic_svg = sys.argv[1:4]
    out_dir = sys.argv[4] if len(sys.argv) > 4 else tempfile.mkdtemp(prefix='backprop-icons-')
    os.makedirs(out_dir, exist_ok=True)

    # The app icon.
    try:
        app_root = ET.parse(app_svg).getroot()
        check(app_root.tag == SVG_NS + 'svg', 'the app icon is an SVG document')
    except ET.ParseError as e:
        check(False, 'the app icon is well-formed XML', e)
        app_root = None
    if app_root is not None:
        check(canvas(app_root) == ('128', '128', '0 0 128 128'),
              'the app icon has a 128×128 canvas', f'width, height, viewBox: {canvas(app_root)}')
    for size in (128, 32):
        png = os.path.join(out_dir, f'app-icon-{size}.png')
        ok, err = render(rsvg, app_svg, png, size)
        check(ok, f'the app icon renders at {size}×{size}', err)
        if not ok:
            continue
        width, height, rows = read_png(png)
        check((width, height) == (size, size), f'and its rendering is {size}×{size}',
              f'{width}×{height}')
        if size != 128:
            continue
        opaque = sum(1 for row in rows for p in row if p[3] >= 250)
        corners = [rows[y][x][3] for x, y in ((0, 0), (127, 0), (0, 127), (127, 127))]
        # GNOME's app icons are a shape on a transparent canvas, not a full-bleed square: the
        # tile covers most of it and leaves the corners and a margin empty.
        check(0.45 * 128 * 128 < opaque < 0.9 * 128 * 128,
              f'the app icon covers most of its canvas, not all of it ({opaque} opaque pixels)')
        check(max(corners) == 0, 'the app icon leaves its corners transparent',
              f'corner alphas {corners}')
        colours = {p[:3] for row in rows for p in row if p[3] == 255}
        check(len(colours) > 8, f'the app icon is in colour ({len(colours)} colours)')

    # The symbolic icon.
    try:
        sym_root = ET.parse(symbolic_svg).getroot()
        check(sym_root.tag == SVG_NS + 'svg', 'the symbolic icon is an SVG document')
    except ET.ParseError as e:
        check(False, 'the symbolic icon is well-formed XML', e)
        sym_root = None
    if sym_root is not None:
        check(canvas(sym_root) == ('16', '16', '0 0 16 16'),
              'the symbolic icon has a 16×16 canvas', f'width, height, viewBox: {canvas(sym_root)}')
        styles = style_colours(sym_root)
        fills = {props['fill'] for _, props in styles if 'fill' in props}
        strokes = [(tag, props['stroke']) for tag, props in styles
                   if props.get('stroke', 'none') != 'none']
        others = [(tag, props) for tag, props in styles
                  if tag in ('linearGradient', 'radialGradient', 'pattern', 'image', 'text')
                  or 'opacity' in props or 'fill-opacity' in props]
        check(len(fills) == 1 and fills <= set(SYMBOLIC_COLOURS),
              f'the symbolic icon fills in one colour, {" or ".join(SYMBOLIC_COLOURS)}',
              f'fills: {sorted(fills)}')
        check(not strokes, 'the symbolic icon has no strokes (GTK recolours fills only)',
              f'strokes: {strokes}')
        check(not others, 'and no gradient, pattern, image, text or opacity', f'found: {others}')

    png = os.path.join(out_dir, 'symbolic-icon-16.png')
    ok, err = render(rsvg, symbolic_svg, png)
    check(ok, 'the symbolic icon renders', err)
    if ok:
        width, height, rows = read_png(png)
        check((width, height) == (16, 16), 'at 16×16 by default', f'{width}×{height}')
        covered = [p for row in rows for p in row if p[3] > 0]
        # Edge pixels are partly transparent and their colour is rounded when cairo's
        # premultiplied pixels are written out: compare the well-covered ones.
        solid = {p[:3] for p in covered if p[3] >= 128}
        spread = max((max(c[i] for c in solid) - min(c[i] for c in solid) for i in range(3)),
                     default=0)
        check(len(covered) > 30, f'the symbolic icon draws something ({len(covered)} pixels)')
        check(solid and spread <= 3,
              f'the symbolic icon renders in a single colour ({len(solid)} shades, spread {spread})',
              f'colours: {sorted(solid)[:12]}')
        # Enlarged on a light and a dark background, to look at (when ImageMagick is there).
        for background in ('white', '#242424'):
            try:
                subprocess.run(['convert', png, '-background', background, '-flatten',
                                '-scale', '800%',
                                os.path.join(out_dir, f'symbolic-icon-16-on-{background.strip("#")}.png')],
                               capture_output=True)
            except OSError:
                break

    print(f'1..{n_tests}')
    print(f'# renderings in {out_dir}')
    return 1 if n_failed else 0


if __name__ == '__main__':
    sys.exit(main())
