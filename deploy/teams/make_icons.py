"""Draws the Teams app icons (run once; the PNGs are committed): color.png 192x192 (full colour) and
outline.png 32x32 (white on transparent), as Teams asks. A white tick in a ring on GOV.UK blue."""
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BLUE = (29, 112, 184, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, background: tuple) -> Image.Image:
    scale = 4  # drawn large, then reduced: smooth edges
    s = size * scale
    image = Image.new("RGBA", (s, s), background)
    d = ImageDraw.Draw(image)
    ring = int(s * 0.08)
    pad = int(s * 0.14)
    d.ellipse([pad, pad, s - pad, s - pad], outline=WHITE, width=ring)
    d.line([(s * 0.33, s * 0.52), (s * 0.45, s * 0.64), (s * 0.68, s * 0.38)], fill=WHITE, width=ring, joint="curve")
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192, BLUE).save(HERE / "color.png")
    draw(32, (0, 0, 0, 0)).save(HERE / "outline.png")
