"""The analytic and numeric Jacobians of a gradient check as heatmaps, and their difference.

Row r of a Jacobian block is output element r (flattened), column c is input
element c, so a wrong row points at an output and a wrong column at an input
element: a mistake such as a missing transpose or a forgotten sum shows as a
pattern (a stripe, a mirrored block) that the table of numbers hides.
"""
import pathlib

import numpy


def _new_figure(rows):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # no pyplot: no global state, the Agg backend only
    height = 3.4 * rows + 1.0
    figure = Figure(figsize=(13, height))
    FigureCanvasAgg(figure)
    # fixed margins (in inches, whatever the number of rows): matplotlib's automatic
    # layouts would double the drawing time; the top one leaves room for two title lines
    figure.subplots_adjust(left=0.06, right=0.95, bottom=0.55 / height, top=1 - 0.95 / height,
                           wspace=0.4, hspace=0.55)
    return figure


def _pairs_worst_first(result, max_pairs):
    """The Jacobian blocks that have mismatches first, most mismatches first."""
    counts = {}
    for m in result.mismatches:
        key = (m.output_index, m.input_index)
        counts[key] = counts.get(key, 0) + 1
    pairs = sorted(result.jacobians, key=lambda p: -counts.get((p.output_index, p.input_index), 0))
    return pairs[:max_pairs], counts


def _name(names, i, kind="input"):
    return f"{kind} {i} ({names[i]})" if names and i < len(names) else f"{kind} {i}"


def _largest(*arrays):
    """The largest finite |value| (at least 1e-12, so a colour scale never collapses)."""
    values = numpy.concatenate([numpy.abs(x).ravel() for x in arrays] + [[1e-12]])
    return float(numpy.nanmax(numpy.where(numpy.isfinite(values), values, 0)))


def _heatmap(axis, figure, values, title, cmap, limit):
    from matplotlib.ticker import FormatStrFormatter, MaxNLocator
    image = axis.imshow(values, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto",
                        interpolation="nearest")
    axis.set_title(title, fontsize=10)
    # element numbers, whole and few enough not to run into each other
    axis.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axis.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axis.tick_params(labelsize=8)
    bar = figure.colorbar(image, ax=axis, shrink=0.85)
    bar.locator = MaxNLocator(nbins=4)       # a few short labels, not a run of digits
    bar.formatter = FormatStrFormatter("%.2g")
    bar.update_ticks()
    bar.ax.tick_params(labelsize=8)


def plot_jacobians(result, path, input_names=None, title=None, max_pairs=4, output_names=None):
    """Save a figure of ``result`` (a GradcheckResult): for each Jacobian block, the
    analytic, numeric and difference heatmaps; entries that fail the tolerance are
    circled.  The axes say which output (rows) and input (columns) a block is;
    the panel titles stay short so that they never run into each other.
    Returns the path written."""
    pairs, counts = _pairs_worst_first(result, max_pairs)
    figure = _new_figure(len(pairs))
    axes = figure.subplots(len(pairs), 3, squeeze=False)
    for row, pair in zip(axes, pairs):
        a, n = pair.analytic, pair.numeric
        limit = _largest(a, n)  # one colour scale for both, centred on 0
        difference = a - n
        _heatmap(row[0], figure, a, "analytic (your backward)", "RdBu_r", limit)
        _heatmap(row[1], figure, n, "numeric (central differences)", "RdBu_r", limit)
        # the colour scale is at least the tolerance, so rounding noise in a block that passes stays pale
        tolerance = result.atol + result.rtol * limit
        worst = max(_largest(difference), tolerance)
        bad = counts.get((pair.output_index, pair.input_index), 0)
        _heatmap(row[2], figure, difference, f"difference ({bad} entries fail)", "PuOr_r", worst)
        wrong = ~(numpy.abs(difference) <= result.atol + result.rtol * numpy.abs(n))
        rows, cols = numpy.nonzero(wrong)
        for axis in row:
            axis.scatter(cols, rows, s=60, facecolors="none", edgecolors="black", linewidths=0.8)
            axis.set_xlabel(f"{_name(input_names, pair.input_index)}, element", fontsize=8)
            axis.set_ylabel(f"{_name(output_names, pair.output_index, 'output')}, element", fontsize=8)
    what = "gradient" if result.order == 1 else "second-derivative"
    verdict = ("passed" if result.passed else
               f"FAILED: {len(result.mismatches)} of {result.checked} entries differ")
    prefix = f"{title}: " if title else ""
    figure.suptitle(f"{prefix}{what} check {verdict}\n(rows: output elements, columns: input "
                    "elements, flattened; circled: outside tolerance)", fontsize=11)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    return path
