"""plot_svg.py — reads the series back out of an SVG that `lrc plot` drew
(tests/golden/plot.sh). A series is found by its colour (plot.c's
palette); a point is mapped back to data through the page and plotting
area that plot.h fixes and the axis limits the caller knows, so a series
drawn in the wrong place, or with wrong numbers, does not match.

  python3 plot_svg.py FILE.svg curves COLUMN VAL_COLUMN|- METRICS.CSV...
  python3 plot_svg.py FILE.svg mark METRICS.CSV EPOCH
  python3 plot_svg.py FILE.svg schedules STEPS PY-EXPR-OF-s...
  python3 plot_svg.py FILE.svg descent1 PY-EXPR-OF-x X,X,...
  python3 plot_svg.py FILE.svg descent2 PY-EXPR-OF-x-y X,Y;X,Y;...
Prints nothing and exits 0 when every check holds, else the reasons."""
import csv, math, re, sys

W, H = 800, 600                               # plot.h: PLOT_WIDTH, PLOT_HEIGHT
LEFT, RIGHT, BOTTOM, TOP = 0.1, 0.95, 0.1, 0.92  # plot.h: PLOT_VIEW_*
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
SAMPLES = 401                                 # plot.c: CURVE_SAMPLES
CONTOUR_SAMPLES, CONTOUR_LEVELS = 61, 12      # plot.c
MARGIN = 0.05                                 # plot.c: DESCENT_MARGIN
PIXEL = 1.0

def colour(rgb):
    return 'rgb(%s)' % ','.join('%g%%' % round(c / 255 * 100, 6) for c in rgb)

def paths(svg, rgb):
    """Each stroked path of that colour as a list of (x, y) in page
    coordinates, y up (the paths carry matrix(1,0,0,-1,0,H))."""
    want = colour(rgb)
    out = []
    for m in re.finditer(r'<path style="([^"]*)" d="([^"]*)"', svg):
        style = m.group(1)
        s = re.search(r'stroke:(rgb\([^)]*\))', style)
        if not s or 'fill:none' not in style:
            continue
        got = s.group(1)
        nums = [float(v) for v in re.findall(r'[\d.]+', got)]
        if max(abs(a - round(b / 255 * 100, 6)) for a, b in zip(nums, rgb)) > 1e-3:
            continue
        pts = [float(v) for v in re.findall(r'-?[\d.]+', m.group(2))]
        out.append(list(zip(pts[0::2], pts[1::2])))
    return out

class Axes:
    def __init__(self, x0, x1, y0, y1):
        self.x0, self.x1, self.y0, self.y1 = x0, x1, y0, y1
    def page(self, x, y):
        return (W * (LEFT + (RIGHT - LEFT) * (x - self.x0) / (self.x1 - self.x0)),
                H * (BOTTOM + (TOP - BOTTOM) * (y - self.y0) / (self.y1 - self.y0)))

def near(a, b):
    return abs(a[0] - b[0]) <= PIXEL and abs(a[1] - b[1]) <= PIXEL

def on_polyline(p, line):
    """Distance from p to the polyline, in page units."""
    best = math.inf
    for (ax, ay), (bx, by) in zip(line, line[1:]):
        dx, dy = bx - ax, by - ay
        t = 0 if dx == dy == 0 else max(0, min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy))
    return best

def chains(ps):
    """The paths, with those that continue one another (the cairo driver
    splits a long polyline) joined."""
    out = []
    for p in ps:
        if out and len(p) > 2 and len(out[-1]) > 2 and near(out[-1][-1], p[0]):
            out[-1] = out[-1] + p[1:]
        else:
            out.append(p)
    return out

def series(svg, rgb, want, why, name):
    """A path of rgb that is want's polyline within a pixel: it starts and
    ends at want's ends, each of its points lies on want's line and each of
    want's on it (PLplot may drop points that lie on a straight stretch)."""
    for p in chains(paths(svg, rgb)):
        if (len(p) >= 2 and near(p[0], want[0]) and near(p[-1], want[-1]) and
                all(on_polyline(q, want) <= PIXEL for q in p) and
                all(on_polyline(q, p) <= PIXEL for q in want)):
            return True
    got = [len(p) for p in paths(svg, rgb)]
    why.append('%s: no path along the data (%d points; paths of that colour: %s)' % (name, len(want), got[:8]))
    return False

def main():
    svg = open(sys.argv[1]).read()
    kind, args, why = sys.argv[2], sys.argv[3:], []
    if kind == 'curves':
        col, val = args[0], None if args[1] == '-' else args[1]
        runs = [list(csv.DictReader(open(f))) for f in args[2:]]
        xs = [float(r['epoch']) for rows in runs for r in rows]
        ys = [float(r[c]) for rows in runs for r in rows for c in ([col, val] if val else [col])]
        ax = Axes(min(xs), max(xs), min(ys), max(ys))
        for i, rows in enumerate(runs):
            train = [ax.page(float(r['epoch']), float(r[col])) for r in rows]
            series(svg, PALETTE[i], train, why, '%s of %s' % (col, args[2 + i]))
            if val:
                # Dashed: PLplot draws the dashes as segments.
                line = [ax.page(float(r['epoch']), float(r[val])) for r in rows]
                dashes = [p for p in paths(svg, PALETTE[i]) if len(p) == 2]
                on = sum(1 for d in dashes for q in d if on_polyline(q, line) <= PIXEL)
                if on < 0.7 * 2 * len(dashes) or on < 40:
                    why.append('%s: %d of %d dash ends on the data' % (val, on, 2 * len(dashes)))
    elif kind == 'mark':
        # The early-stopping mark: a dotted vertical line at that epoch.
        xs = [float(r['epoch']) for r in csv.DictReader(open(args[0]))]
        x = Axes(min(xs), max(xs), 0, 1).page(float(args[1]), 0)[0]
        dots = [p for p in paths(svg, PALETTE[0])
                if len(p) == 2 and abs(p[0][0] - x) <= PIXEL and abs(p[1][0] - x) <= PIXEL]
        if len(dots) < 10:
            why.append('mark: %d segments at x = %g (epoch %s)' % (len(dots), x, args[1]))
    elif kind == 'schedules':
        steps = int(args[0])
        curves = [[eval(e, {'math': math, 's': s}) for s in range(steps)] for e in args[1:]]
        ax = Axes(0, steps - 1, min(map(min, curves)), max(map(max, curves)))
        for i, c in enumerate(curves):
            series(svg, PALETTE[i], [ax.page(s, v) for s, v in enumerate(c)], why, args[1 + i])
    elif kind == 'descent1':
        f = lambda x: eval(args[0], {'math': math, 'x': x})
        xs = [float(v) for v in args[1].split(',')]
        lo, hi = min(xs), max(xs)
        m = MARGIN * (hi - lo) if hi > lo else 1
        lo, hi = lo - m, hi + m
        grid = [lo + (hi - lo) * i / (SAMPLES - 1) for i in range(SAMPLES)]
        fs = [f(x) for x in grid] + [f(x) for x in xs]
        ax = Axes(lo, hi, min(fs), max(fs))
        series(svg, PALETTE[1], [ax.page(x, f(x)) for x in xs], why, 'descent path')
        series(svg, PALETTE[0], [ax.page(x, f(x)) for x in grid], why, 'function')
    elif kind == 'descent2':
        pts = [tuple(float(v) for v in p.split(',')) for p in args[1].split(';')]
        lims = []
        for k in range(2):
            lo, hi = min(p[k] for p in pts), max(p[k] for p in pts)
            m = MARGIN * (hi - lo) if hi > lo else 1
            lims += [lo - m, hi + m]
        ax = Axes(*lims)
        series(svg, PALETTE[1], [ax.page(*p) for p in pts], why, 'descent path')
        f = lambda x, y: eval(args[0], {'math': math, 'x': x, 'y': y})
        # Contour lines: every point of the function's colour lies on one
        # of plot.c's levels, spread evenly over f's range on its grid.
        n = CONTOUR_SAMPLES
        grid = [f(lims[0] + (lims[1] - lims[0]) * i / (n - 1), lims[2] + (lims[3] - lims[2]) * j / (n - 1))
                for i in range(n) for j in range(n)]
        lo, hi = min(grid), max(grid)
        levels = [lo + (hi - lo) * (i + 0.5) / CONTOUR_LEVELS for i in range(CONTOUR_LEVELS)]
        inv = lambda p: (lims[0] + (p[0] / W - LEFT) / (RIGHT - LEFT) * (lims[1] - lims[0]),
                         lims[2] + (p[1] / H - BOTTOM) / (TOP - BOTTOM) * (lims[3] - lims[2]))
        drawn, seen = paths(svg, PALETTE[0]), set()
        for q in (q for l in drawn for q in l):
            v = f(*inv(q))
            k = min(range(CONTOUR_LEVELS), key=lambda i: abs(levels[i] - v))
            if abs(levels[k] - v) > 0.02 * (hi - lo) / CONTOUR_LEVELS:
                why.append('contour point %s: f = %g is on no level' % (q, v))
                break
            seen.add(k)
        if len(seen) < CONTOUR_LEVELS // 2:
            why.append('contours: %d levels drawn' % len(seen))
    for w in why:
        print(w)
    sys.exit(1 if why else 0)

main()
