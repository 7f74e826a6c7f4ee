#!/usr/bin/env bash
# Remakes the styles' label glyphs (styles/glyphs/DejaVu Sans/<range>.pbf) with FreeType from
# Debian's DejaVu Sans (Latin, Greek, Cyrillic, punctuation) and WenQuanYi Micro Hei (CJK
# punctuation and full-width forms). Chinese ideographs are not here: MapLibre draws them with
# the browser's own fonts (localIdeographFontFamily, 'sans-serif' by default).
# Needs: cc, libfreetype-dev, fonts-dejavu-core, fonts-wqy-microhei.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEJAVU=${PINGAN_GLYPH_LATIN:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}
CJK=${PINGAN_GLYPH_CJK:-/usr/share/fonts/truetype/wqy/wqy-microhei.ttc}
for f in "$DEJAVU" "$CJK"; do
    [ -r "$f" ] || { echo "make-glyphs: $f is missing (apt-get install fonts-dejavu-core fonts-wqy-microhei)" >&2; exit 1; }
done
mkdir -p "$TOP/styles/glyphs"
BIN=$(mktemp -d /tmp/pingan-glyphs.XXXXXX)
trap 'rm -rf "$BIN"' EXIT
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags freetype2) \
    "$TOP/tools/glyphs/make_glyphs.c" -o "$BIN/pingan-glyphs" $(pkg-config --libs freetype2) -lm
# Basic Latin + Latin-1, Latin Extended-A, general punctuation (– — … ‰), CJK symbols and
# punctuation (、。《》「」【】), full-width forms (，：（）).
"$BIN/pingan-glyphs" "$TOP/styles/glyphs/DejaVu Sans" "DejaVu Sans" "$DEJAVU:$CJK" \
    0 256 8192 12288 65280
