"""Makes the scanned-PDF fixtures of the OCR test: a printed email chain rendered to
page images at 200 dpi and saved as image-only PDFs (no text layer), one with JPEG
(DCTDecode) pages and one with 1-bit (Flate) pages, as scanners write them.
Run: python3 make_scans.py (needs Pillow and the DejaVu fonts)."""
from PIL import Image, ImageDraw, ImageFont

PAGES = [
    """WASHOE COUNTY SHERIFF'S OFFICE          PRR 22-0917          WCSO 000041

From:     Hale, Dana <dhale@washoecounty.gov>
Sent:     Tuesday, March 8, 2022 10:12 AM
To:       Ortiz, Ben <bortiz@ice.dhs.gov>
Subject:  RE: plate 7KLM214

Ben, here are the reads for 7KLM214 from our cameras: three hits
on Kietzke Lane last week. Keep it between us, this did not go
through our records unit.

Dana Hale
Crime Analyst, Washoe County Sheriff's Office
""",
    """WASHOE COUNTY SHERIFF'S OFFICE          PRR 22-0917          WCSO 000042

-----Original Message-----
From:     Ortiz, Ben <bortiz@ice.dhs.gov>
Sent:     Monday, March 7, 2022 4:40 PM
To:       Hale, Dana <dhale@washoecounty.gov>
Subject:  plate 7KLM214

Dana, could you run plate 7KLM214 through your ALPR system and send
me the reads directly? Our access request is still pending.

Ben Ortiz
Deportation Officer, ERO Reno
""",
]

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 30)


def page_image(text):
    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    y = 160
    for line in text.splitlines():
        draw.text((120, y), line, font=FONT, fill=0)
        y += 46
    return img


pages = [page_image(t) for t in PAGES]
pages[0].save("scanned-jpeg.pdf", save_all=True, append_images=pages[1:], resolution=200.0, quality=60)
bw = [p.point(lambda v: 255 if v > 128 else 0, mode="1") for p in pages]
bw[0].save("scanned-1bit.pdf", save_all=True, append_images=bw[1:], resolution=200.0)
