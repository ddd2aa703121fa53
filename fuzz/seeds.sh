#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/{vet,decode} (git-ignored) from the repository's
# sample-photos/ only: the dev photos in ../shared are licensed for use in place and are never
# copied here. Small variants (progressive, greyscale, 4:4:4, EXIF-rotated, PNG colour types,
# WebP) need djpeg/cjpeg (libjpeg-turbo-progs) and cwebp (webp); without them only the full-size
# sample photos and the generated PNGs are used.
set -euo pipefail
cd "$(dirname "$0")"
S=../sample-photos
mkdir -p corpus/vet corpus/decode
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$S"/*.jpg "$S"/*.png; do cp "$f" corpus/vet/; done
if command -v djpeg >/dev/null && command -v cjpeg >/dev/null; then
  for f in "$S"/*.jpg; do
    b=$(basename "$f" .jpg)
    djpeg -scale 1/4 -ppm "$f" > "$tmp/$b.ppm"
    cjpeg -quality 80 "$tmp/$b.ppm" > "corpus/decode/$b.q80.jpg"
    cjpeg -quality 60 -progressive "$tmp/$b.ppm" > "corpus/decode/$b.prog.jpg"
    cjpeg -quality 90 -sample 1x1 -restart 2 "$tmp/$b.ppm" > "corpus/decode/$b.444rst.jpg"
    cjpeg -grayscale -quality 70 "$tmp/$b.ppm" > "corpus/decode/$b.gray.jpg"
    cjpeg -quality 70 -arithmetic "$tmp/$b.ppm" > "corpus/decode/$b.arith.jpg" 2>/dev/null || true
    if command -v cwebp >/dev/null; then
      cwebp -quiet -q 60 "$tmp/$b.ppm" -o "corpus/decode/$b.webp" 2>/dev/null || true
      cwebp -quiet -lossless "$tmp/$b.ppm" -o "corpus/decode/$b.lossless.webp" 2>/dev/null || true
    fi
    # Half-size faces are still found by the detector: cheaper seeds for the vet target.
    djpeg -scale 1/2 -ppm "$f" | cjpeg -quality 85 > "corpus/vet/$b.half.jpg"
  done
fi
python3 - "$S" corpus/decode <<'PY'
import os, struct, sys, zlib
src, out = sys.argv[1], sys.argv[2]

def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

def exif_tiff(orientation):
    # Little-endian TIFF, IFD0 with one entry: Orientation (0x0112, SHORT, 1).
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + \
        struct.pack("<HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack("<I", 0)

def png(w, h, ctype, depth, rows, extra=b""):
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    raw = b"".join(b"\x00" + r for r in rows)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

w, h = 24, 16
def px(x, y): return ((x * 10) & 255, (y * 15) & 255, ((x + y) * 7) & 255)
files = {
    "rgb8.png": png(w, h, 2, 8, [bytes(c for x in range(w) for c in px(x, y)) for y in range(h)]),
    "rgba8.png": png(w, h, 6, 8, [bytes(c for x in range(w) for c in px(x, y) + ((x * 11) & 255,)) for y in range(h)]),
    "gray16.png": png(w, h, 0, 16, [b"".join(struct.pack(">H", (x * y * 97) & 0xFFFF) for x in range(w)) for y in range(h)]),
    "rgb8_exif6.png": png(w, h, 2, 8, [bytes(c for x in range(w) for c in px(x, y)) for y in range(h)],
                          chunk(b"eXIf", exif_tiff(6))),
    "palette.png": png(w, h, 3, 8, [bytes((x + y) % 4 for x in range(w)) for y in range(h)],
                       chunk(b"PLTE", bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]))),
}
for name, data in files.items():
    open(os.path.join(out, name), "wb").write(data)
# EXIF-rotated copies of the JPEG seeds: an APP1 segment right after SOI.
for name in sorted(os.listdir(out)):
    if name.endswith(".q80.jpg"):
        data = open(os.path.join(out, name), "rb").read()
        for o in (3, 6, 8):
            payload = b"Exif\x00\x00" + exif_tiff(o)
            app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
            open(os.path.join(out, name.replace(".q80.jpg", f".exif{o}.jpg")), "wb").write(data[:2] + app1 + data[2:])
PY
echo "seeds: $(ls corpus/vet | wc -l) vet, $(ls corpus/decode | wc -l) decode"
