#!/usr/bin/env python3
"""Writes a small 2-D FITS image with a celestial WCS (no third-party modules).

usage: make_image.py OUT.fits

64 x 64 pixels of 16-bit integers, centred on RA 83.633, Dec 22.0145 (the Crab
nebula) at 1 arcsec per pixel, TAN projection, ICRS. Pixel (x, y) (1-based, FITS
order) holds 100*x + y, so a viewer's pixel readout tells which image is loaded
and that it is not flipped. OBJECT = 'SAMP-PROBE' marks the header.
"""
import struct
import sys

N = 64
cards = [
    ("SIMPLE", "T"), ("BITPIX", "16"), ("NAXIS", "2"),
    ("NAXIS1", str(N)), ("NAXIS2", str(N)),
    ("OBJECT", "'SAMP-PROBE'"),
    ("CTYPE1", "'RA---TAN'"), ("CTYPE2", "'DEC--TAN'"),
    ("CRPIX1", "32.5"), ("CRPIX2", "32.5"),
    ("CRVAL1", "83.633"), ("CRVAL2", "22.0145"),
    ("CDELT1", "-2.77777777778E-04"), ("CDELT2", "2.77777777778E-04"),
    ("CUNIT1", "'deg'"), ("CUNIT2", "'deg'"),
    ("RADESYS", "'ICRS'"), ("EQUINOX", "2000.0"),
]
# fixed format: strings start in column 11, other values end in column 30
card = lambda k, v: (f"{k:<8}= {v:<20}" if v.startswith("'") else f"{k:<8}= {v:>20}").ljust(80)
header = "".join(card(k, v) for k, v in cards) + "END".ljust(80)
header = header.ljust(-(-len(header) // 2880) * 2880)
data = b"".join(struct.pack(">h", 100 * x + y) for y in range(1, N + 1) for x in range(1, N + 1))
data = data.ljust(-(-len(data) // 2880) * 2880, b"\0")
with open(sys.argv[1], "wb") as f:
    f.write(header.encode("ascii") + data)
