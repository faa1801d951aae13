#!/usr/bin/env python3
"""tenon-io --plot: renders the SVG of a two-job run in headless Chromium
and checks that the browser lays out a panel for each job and direction,
with visible text, bars and lines (by asking the browser for the elements'
boxes), and that the screenshot is not blank.

usage: plot_test.py TENON_IO
"""
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
import struct

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def png_nonwhite_fraction(path):
    """Fraction of non-white pixels of an 8-bit RGB(A) PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    nonwhite = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 0xff
        for x in range(0, stride, bpp):
            if line[x] < 200 or line[x + 1] < 200 or line[x + 2] < 200:
                nonwhite += 1
        prev = line
    return nonwhite / (width * height)


PAGE = """<!doctype html><html><body>
<object id="plot" data="plot.svg" type="image/svg+xml" width="1100" height="1400"></object>
<pre id="result">pending</pre>
<script>
document.getElementById('plot').addEventListener('load', function () {
  var svg = this.contentDocument;
  var out = [];
  svg.querySelectorAll('g.panel').forEach(function (p) {
    var box = p.getBBox();
    var bars = Array.from(p.querySelectorAll('g.latency rect')).filter(function (r) {
      return r.getBBox().height > 0 && r.getAttribute('fill'); }).length;
    var lines = p.querySelectorAll('polyline').length;
    var title = p.querySelector('text.job');
    out.push([p.getAttribute('data-job'), p.getAttribute('data-ddir'),
              Math.round(box.width), Math.round(box.height), bars, lines,
              title ? Math.round(title.getBBox().width) : 0].join(','));
  });
  document.getElementById('result').textContent = 'PANELS ' + out.join(' ');
});
</script></body></html>
"""


def main():
    tio = sys.argv[1]
    browser = chromium()
    if not browser:
        print("SKIP: no chromium (apt-get install chromium)")
        return 77
    tmp = tempfile.mkdtemp(prefix="tenon-plot.")
    try:
        svg = os.path.join(tmp, "plot.svg")
        cmd = [tio, "--eta=never", f"--plot={svg}", f"--directory={tmp}", "--size=8m",
               "--bs=4k", "--runtime=2s", "--time_based",
               "--name=alpha", "--rw=randread", "--ioengine=psync",
               "--name=beta", "--rw=randrw", "--ioengine=psync"]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            print(f"FAIL: tenon-io exited {p.returncode}: {p.stderr}")
            return 1
        with open(os.path.join(tmp, "page.html"), "w") as f:
            f.write(PAGE)
        flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp}/profile",
                                  "--allow-file-access-from-files",
                                  "--virtual-time-budget=5000"]
        dom = subprocess.run([browser] + flags + ["--dump-dom", f"file://{tmp}/page.html"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             timeout=120).stdout
        line = next((l for l in dom.splitlines() if "PANELS" in l), "")
        panels = line.split("PANELS", 1)[1].replace("</pre>", "").split() if line else []
        print("browser saw:", panels)
        seen = {}
        for entry in panels:
            job, ddir, w, h, bars, lines, title_w = entry.split(",")
            seen[(job, ddir)] = (int(w), int(h), int(bars), int(lines), int(title_w))
        failures = 0
        for want in (("alpha", "read"), ("beta", "read"), ("beta", "write")):
            got = seen.get(want)
            if not got:
                print(f"FAIL: no panel for job {want[0]} ({want[1]})")
                failures += 1
                continue
            w, h, bars, lines, title_w = got
            if w < 500 or h < 200 or bars < 1 or lines < 2 or title_w < 10:
                print(f"FAIL: panel {want} is not drawn: {got}")
                failures += 1
        png = os.path.join(tmp, "plot.png")
        subprocess.run([browser] + flags + ["--window-size=1100,800", f"--screenshot={png}",
                                            f"file://{svg}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        frac = png_nonwhite_fraction(png) if os.path.exists(png) else 0
        print(f"screenshot: {frac:.1%} of pixels drawn")
        if frac < 0.02:
            print("FAIL: the screenshot is blank")
            failures += 1
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
