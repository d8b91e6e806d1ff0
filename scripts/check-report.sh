#!/usr/bin/env bash
# Renders a PoolSim HTML report with headless Chromium (Debian's `chromium`) to a PNG and fails
# when the page is blank or a chart is missing. Not part of `make test` / CI: it needs a browser.
#   scripts/check-report.sh REPORT.html OUT.png
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 REPORT.html OUT.png" >&2; exit 2; fi
report=$1 png=$2
[ -f "$report" ] || { echo "check-report: no such file: $report" >&2; exit 1; }

# Chromium and a CJK font (the labels are in Chinese and English), installed once through apt.
bash "$(dirname "$0")/install-deps.sh" chromium fonts-wqy-microhei

# Every chart is an inline <svg data-chart="…">: outlay, burden, winners always; sweep for sweeps.
expected=(outlay burden winners)
grep -q 'data-kind="sweep"' "$report" && expected+=(sweep)
for c in "${expected[@]}"; do
  grep -q "<svg[^>]*data-chart=\"$c\"" "$report" || { echo "check-report: chart '$c' missing from $report" >&2; exit 1; }
done

rm -f "$png"
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" \
  --window-size=1280,3000 "file://$abs" >/dev/null 2>&1 || true
[ -s "$png" ] || { echo "check-report: chromium wrote no screenshot" >&2; exit 1; }

# Blank check with the standard library only: decode the PNG (zlib, undo the row filters) and
# require that no single colour covers more than 97% of the pixels and that there are many colours.
python3 - "$png" <<'PY'
import struct, sys, zlib
from collections import Counter
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat, ihdr = 8, b'', None
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT': idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
if depth != 8 or ctype not in (2, 6):
    sys.exit('check-report: unexpected PNG format (depth %d, colour type %d)' % (depth, ctype))
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, counts, i = bytearray(stride), Counter(), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 2 == 0:  # every other row is plenty
        counts.update(bytes(line[k:k + 3]) for k in range(0, stride, bpp * 2))
    prev = line
total = sum(counts.values())
top = counts.most_common(1)[0][1] / total
print('check-report: %dx%d, %d colours, most common %.1f%% of pixels' % (w, h, len(counts), top * 100))
if top > 0.97 or len(counts) < 16:
    sys.exit('check-report: the page looks blank')
PY
echo "check-report: ok ($png)"
