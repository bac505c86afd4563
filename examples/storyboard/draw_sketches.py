"""Draw the storyboard sketches saas-onboarding.yaml shows (run once; the PNGs are committed).

    python examples/storyboard/draw_sketches.py

Small UI sketches, not screenshots: a few shapes and words each, saved as palette PNGs
of a few KB so the example map stays light.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
INK, MUTED, LINE, PAPER, BRAND = (31, 41, 55), (107, 114, 128), (209, 213, 219), (255, 255, 255), (124, 58, 237)
RED, RED_BG, GREEN = (185, 28, 28), (254, 226, 226), (21, 128, 61)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, size)


def save(image: Image.Image, name: str) -> None:
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=32).save(HERE / name, optimize=True)


def browser(width: int, height: int, title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A desktop browser window with the Tallyo admin console's top bar."""
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 18), fill=(243, 244, 246))
    for i, colour in enumerate(((248, 113, 113), (251, 191, 36), (74, 222, 128))):
        draw.ellipse((6 + 10 * i, 6, 12 + 10 * i, 12), fill=colour)
    draw.rounded_rectangle((44, 4, width - 8, 14), 4, fill=PAPER)
    draw.rectangle((0, 18, width, 40), fill=BRAND)
    draw.text((10, 23), "Tallyo admin", font=font(11, True), fill=PAPER)
    draw.text((10, 48), title, font=font(14, True), fill=INK)
    return image, draw


def sso() -> None:
    image, draw = browser(320, 200, "Single sign-on (SAML)")
    for row, label in enumerate(("Identity provider", "Entity ID", "Cost centre attribute")):
        y = 72 + row * 26
        draw.text((10, y + 3), label, font=font(9), fill=MUTED)
        draw.rounded_rectangle((130, y, 310, y + 18), 3, outline=LINE, fill=PAPER)
    draw.text((136, 75), "Okta", font=font(9), fill=INK)
    draw.rounded_rectangle((10, 152, 310, 188), 4, fill=RED_BG, outline=RED)
    draw.text((18, 157), "Test login failed", font=font(10, True), fill=RED)
    draw.text((18, 172), "ERR_SAML_AUDIENCE", font=font(9), fill=RED)
    save(image, "sso-error.png")


def csv_import() -> None:
    image, draw = browser(320, 200, "Import employees")
    draw.rounded_rectangle((10, 70, 310, 104), 4, outline=LINE, fill=(249, 250, 251))
    draw.text((20, 80), "hibob-export.csv   450 rows", font=font(10), fill=INK)
    draw.rounded_rectangle((10, 114, 310, 150), 4, fill=RED_BG, outline=RED)
    draw.text((18, 119), "Import stopped", font=font(10, True), fill=RED)
    draw.text((18, 134), "Invalid value in column cost_centre", font=font(9), fill=RED)
    draw.rounded_rectangle((10, 162, 100, 186), 4, fill=BRAND)
    draw.text((24, 167), "Try again", font=font(10, True), fill=PAPER)
    save(image, "csv-import.png")


def receipt() -> None:
    image = Image.new("RGB", (180, 320), (17, 24, 39))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 172, 312), 18, fill=PAPER)
    draw.rounded_rectangle((70, 14, 110, 20), 3, fill=(17, 24, 39))
    draw.text((20, 30), "New expense", font=font(13, True), fill=INK)
    draw.rectangle((20, 56, 160, 170), fill=(243, 244, 246))
    draw.polygon(((50, 64), (132, 60), (138, 162), (46, 166)), fill=PAPER, outline=LINE)
    for i in range(6):
        draw.line((58, 78 + 12 * i, 118 - 8 * (i % 2), 77 + 12 * i), fill=LINE, width=2)
    draw.text((64, 146), "34.80", font=font(10, True), fill=INK)
    for row, (label, value) in enumerate((("Amount", "EUR 34.80"), ("VAT", "EUR 5.56"), ("Merchant", "Cafe Lumen"))):
        y = 182 + row * 26
        draw.text((20, y), label, font=font(9), fill=MUTED)
        draw.text((90, y), value, font=font(9, True), fill=INK)
        draw.line((20, y + 17, 160, y + 17), fill=LINE)
    draw.text((20, 262), "Read from the photo", font=font(8), fill=GREEN)
    draw.rounded_rectangle((20, 278, 160, 300), 6, fill=BRAND)
    draw.text((52, 282), "Submit", font=font(11, True), fill=PAPER)
    save(image, "receipt-capture.png")


if __name__ == "__main__":
    sso()
    csv_import()
    receipt()
