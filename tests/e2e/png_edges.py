#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""png_edges.py FILE.png...: fail when a figure's title area touches its left
or right edge, i.e. a title or subtitle wider than the canvas was cut off.

Reads 8-bit RGB/RGBA non-interlaced PNGs (what gnuplot's pngcairo writes)
with zlib alone: no imaging library is installed on the build machines.
"""
import struct
import sys
import zlib


def rows(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and not interlace, path + ": unsupported PNG"
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return out


bad = 0
for path in sys.argv[1:]:
    img = rows(path)
    # the title area: above the plot's frame, the top 12% of the canvas
    for y in range(len(img) * 12 // 100):
        for x in (0, 1, 2, len(img[y]) - 3, len(img[y]) - 2, len(img[y]) - 1):
            if min(img[y][x]) < 200:
                print(f"{path}: ink at the edge ({x},{y}): a title is cut off")
                bad += 1
                break
        else:
            continue
        break
sys.exit(1 if bad else 0)
