#!/usr/bin/env python3
"""Draws the app's PNG icons (the same design as www/icons/icon.svg) into www/icons/.

    python3 scripts/make-icons.py
"""
import os

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "www", "icons")
NAVY, WHITE, INK = (31, 58, 95), (255, 255, 255), (26, 26, 46)


def icon(size, maskable=False):
    scale = 4  # draw large, then shrink: anti-aliased edges
    s = size * scale / 64
    image = Image.new("RGB" if maskable else "RGBA", (size * scale,) * 2, NAVY if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    inset = 8 if maskable else 0  # maskable icons keep their content in the middle 80%
    if not maskable:
        draw.rounded_rectangle([0, 0, 64 * s, 64 * s], radius=14 * s, fill=NAVY)
    paper = [(10 + inset / 2) * s, (10 + inset / 2) * s, (54 - inset / 2) * s, (54 - inset / 2) * s]
    draw.rounded_rectangle(paper, radius=6 * s, fill=WHITE)
    k = (44 - inset) / 44
    points = [(32 + (x - 32) * k, 32 + (y - 32) * k) for x, y in [(22, 21), (42, 21), (30, 45)]]
    width = round(5.5 * s * k)
    draw.line([(x * s, y * s) for x, y in points], fill=INK, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        draw.ellipse([x * s - width / 2, y * s - width / 2, x * s + width / 2, y * s + width / 2], fill=INK)
    return image.resize((size, size), Image.LANCZOS)


for size in (192, 512):
    icon(size).save(os.path.join(OUT, f"icon-{size}.png"), optimize=True)
icon(512, maskable=True).save(os.path.join(OUT, "icon-maskable-512.png"), optimize=True)
print("wrote icons to", os.path.normpath(OUT))
