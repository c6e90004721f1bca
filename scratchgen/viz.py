"""Pictures of what a generative model is doing: sample grids, loss curves, 2-D densities.

Every ``save_*``/``plot_*``/``scatter_*`` function writes one PNG to ``path``
(creating its folder) and returns that path as a ``pathlib.Path``. Inputs may be
NumPy arrays, CuPy arrays or autograd Tensors; they are copied to NumPy first.

Image functions take images in [0, 1], shaped (N, C, H, W) with C = 1 or 3, or
(N, H, W) for grayscale. Values outside [0, 1] are clipped; NaN is an error
(it usually means training diverged). ``uint8`` images (0..255, e.g. raw MNIST)
are divided by 255.

Matplotlib runs on the Agg backend, so nothing ever opens a window, and every
figure is closed once saved.
"""
import math
import pathlib

import matplotlib

matplotlib.use("Agg")  # draw into memory only; must come before importing pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

from autograd import backend  # noqa: E402
from autograd.tensor import Tensor  # noqa: E402

MIN_IMAGE_PIXELS = 56      # save_image_grid upscales each image to at least this size
DPI = 100                  # figure inches * DPI = pixels
LABEL_BAND_PIXELS = 24     # height of the text strip above a labelled grid
NOT_A_LOSS = ("step", "time", "images_per_s")


# -- conversions and checks ---------------------------------------------------

def _to_numpy(values, fn, name):
    """A NumPy array of numbers from a NumPy/CuPy array, an autograd Tensor or a list."""
    if isinstance(values, Tensor):
        values = values.array
    array = backend.to_numpy(values)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{fn}: expected {name} to hold numbers, got dtype {array.dtype}")
    return array


def _check_no_nan(array, fn, name):
    if numpy.isnan(array).any():
        raise ValueError(f"{fn}: {name} contains NaN ({int(numpy.isnan(array).sum())} values)")


def _check_int(value, fn, name, minimum):
    if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {value!r}")


def _as_images(images, fn, name="images"):
    """(N, C, H, W) float images in [0, 1], C = 1 or 3, from (N, C, H, W) or (N, H, W)."""
    array = _to_numpy(images, fn, name)
    shape = array.shape
    if array.ndim == 3:
        array = array[:, None]  # (N, H, W) -> (N, 1, H, W)
    if array.ndim != 4 or array.shape[1] not in (1, 3) or 0 in array.shape:
        raise ValueError(f"{fn}: expected {name} of shape (N, C, H, W) or (N, H, W) "
                         f"with C in (1, 3), got {shape}")
    if array.dtype == numpy.uint8:
        array = array / 255.0
    array = array.astype(numpy.float64)
    _check_no_nan(array, fn, name)
    return numpy.clip(array, 0.0, 1.0)


def _as_points(points, fn, name):
    """An (M, 2) float array of 2-D points, checked for NaN."""
    array = _to_numpy(points, fn, name).astype(numpy.float64)
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise ValueError(f"{fn}: expected {name} of shape (M, 2) with M >= 1, "
                         f"got {tuple(array.shape)}")
    _check_no_nan(array, fn, name)
    return array


def _png_path(path, fn):
    """``path`` as a Path ending in .png, with its folder created."""
    path = pathlib.Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"{fn}: path must end in .png, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _save_and_close(fig, path):
    try:
        fig.savefig(path, dpi=DPI, format="png")
    finally:
        plt.close(fig)
    return path


# -- image grids --------------------------------------------------------------

def image_grid(images, nrow=None, padding=2, pad_value=1.0):
    """Tile images into one (H, W, 3) float picture in [0, 1].

    ``nrow`` is how many images go in each row (default ceil(sqrt(N)), a square-ish
    grid); ``padding`` pixels of colour ``pad_value`` surround every image.
    """
    fn = "image_grid"
    images = _as_images(images, fn)
    count, _, height, width = images.shape
    nrow = math.ceil(math.sqrt(count)) if nrow is None else nrow
    _check_int(nrow, fn, "nrow", minimum=1)
    _check_int(padding, fn, "padding", minimum=0)
    if not 0.0 <= pad_value <= 1.0:
        raise ValueError(f"{fn}: pad_value must be in [0, 1], got {pad_value!r}")

    columns, rows = min(nrow, count), math.ceil(count / nrow)
    grid = numpy.full((rows * (height + padding) + padding,
                       columns * (width + padding) + padding, 3), float(pad_value))
    images_hwc = numpy.broadcast_to(images.transpose(0, 2, 3, 1), (count, height, width, 3))
    for index, image in enumerate(images_hwc):
        top = padding + (index // nrow) * (height + padding)
        left = padding + (index % nrow) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def _upscale_factor(images):
    """Smallest whole factor that makes each image at least MIN_IMAGE_PIXELS on its short side."""
    short_side = min(images.shape[-2:])
    return max(1, math.ceil(MIN_IMAGE_PIXELS / short_side))


def _save_labelled_grids(grids_and_labels, path, upscale):
    """Stack grids vertically, each under its label (if any), pixel for pixel.

    Each grid is blown up ``upscale`` times by repeating pixels (nearest
    neighbour), and placed with ``figimage`` so nothing is resampled.
    """
    grids = [grid.repeat(upscale, axis=0).repeat(upscale, axis=1) for grid, _ in grids_and_labels]
    bands = [LABEL_BAND_PIXELS if label else 0 for _, label in grids_and_labels]
    width = max(grid.shape[1] for grid in grids)
    height = sum(grid.shape[0] + band for grid, band in zip(grids, bands))

    fig = plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="white")
    top = height  # figimage and fig.text measure from the bottom-left corner
    for grid, band, (_, label) in zip(grids, bands, grids_and_labels):
        if label:
            fig.text(0.5, (top - band / 2) / height, label, ha="center", va="center", fontsize=10)
        top -= band + grid.shape[0]
        fig.figimage(grid, xo=0, yo=top, origin="upper")
    return _save_and_close(fig, path)


def save_image_grid(images, path, nrow=None, title=None, upscale=None):
    """Save images as one grid PNG; tiny images are enlarged (nearest) ``upscale`` times.

    Without a title the PNG is exactly the grid, enlarged: its size is
    ``upscale * image_grid(images, nrow).shape[:2]``. A title adds a strip on top.
    """
    fn = "save_image_grid"
    images = _as_images(images, fn)
    upscale = _upscale_factor(images) if upscale is None else upscale
    _check_int(upscale, fn, "upscale", minimum=1)
    path = _png_path(path, fn)
    return _save_labelled_grids([(image_grid(images, nrow=nrow), title)], path, upscale)


def save_interpolation(rows, path, title=None):
    """Save (R, K, C, H, W) or (R, K, H, W) images as a grid of R rows of K steps each.

    Each row is one walk through latent space, from one endpoint to the other.
    """
    fn = "save_interpolation"
    rows = _to_numpy(rows, fn, "rows")
    if not (rows.ndim == 4 or (rows.ndim == 5 and rows.shape[2] in (1, 3))) or 0 in rows.shape:
        raise ValueError(f"{fn}: expected rows of shape (R, K, C, H, W) with C in (1, 3) "
                         f"or (R, K, H, W), got {rows.shape}")
    row_count, steps = rows.shape[:2]
    images = _as_images(rows.reshape(row_count * steps, *rows.shape[2:]), fn, "rows")
    path = _png_path(path, fn)
    grid = image_grid(images, nrow=steps)
    return _save_labelled_grids([(grid, title)], path, _upscale_factor(images))


def save_reconstructions(inputs, reconstructions, path, n=8):
    """Save the first ``n`` inputs in a row titled "inputs", their reconstructions below."""
    fn = "save_reconstructions"
    inputs = _as_images(inputs, fn, "inputs")
    reconstructions = _as_images(reconstructions, fn, "reconstructions")
    if inputs.shape != reconstructions.shape:
        raise ValueError(f"{fn}: inputs and reconstructions must have the same shape, "
                         f"got {inputs.shape} and {reconstructions.shape}")
    _check_int(n, fn, "n", minimum=1)
    path = _png_path(path, fn)
    count = min(n, len(inputs))
    grids_and_labels = [(image_grid(inputs[:count], nrow=count), "inputs"),
                        (image_grid(reconstructions[:count], nrow=count), "reconstructions")]
    return _save_labelled_grids(grids_and_labels, path, _upscale_factor(inputs))


# -- training curves ----------------------------------------------------------

def _is_number(value):
    return isinstance(value, (int, float, numpy.number)) and not isinstance(value, bool)


def _loss_keys(records):
    """Every numeric key in the records, in first-seen order, except step/time/throughput."""
    keys = []
    for record in records:
        keys += [key for key, value in record.items()
                 if _is_number(value) and key not in NOT_A_LOSS and key not in keys]
    return keys


def _moving_average(values, window):
    """Trailing mean over ``window`` points; the result is ``window - 1`` points shorter."""
    window = min(window, len(values))
    return numpy.convolve(values, numpy.ones(window) / window, mode="valid")


def _curve(records, key):
    """(steps, values) of the records that hold a finite number under ``key``."""
    points = [(record["step"], record[key]) for record in records
              if _is_number(record.get(key)) and math.isfinite(record[key])]
    return numpy.array(points, dtype=numpy.float64).reshape(-1, 2).T


def _wants_log_scale(values):
    """True when every value is positive and they span more than two decades."""
    return values.min() > 0 and values.max() / values.min() > 100


def plot_losses(records, path, keys=None, smooth=0):
    """Plot one curve per loss key of a JSONL training log against "step".

    Records that lack a key, or hold a non-finite value under it, are skipped for
    that curve. ``smooth`` > 1 draws a trailing moving average of that many points
    over the faint raw curve. The y axis is logarithmic when every value is
    positive and they span more than two decades.
    """
    fn = "plot_losses"
    if not isinstance(records, (list, tuple)) or not records:
        raise ValueError(f"{fn}: expected a non-empty list of dicts, got {type(records).__name__}")
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not _is_number(record.get("step")):
            raise ValueError(f"{fn}: record {index} is not a dict with a numeric 'step': {record!r}")
    keys = _loss_keys(records) if keys is None else list(keys)
    if not keys:
        raise ValueError(f"{fn}: the records hold no numeric keys to plot besides {NOT_A_LOSS}")
    _check_int(smooth, fn, "smooth", minimum=0)
    curves = {key: _curve(records, key) for key in keys}
    for key, (steps, _) in curves.items():
        if len(steps) == 0:
            raise ValueError(f"{fn}: no record holds a finite number under {key!r}")
    path = _png_path(path, fn)

    fig, ax = plt.subplots(figsize=(7, 4), dpi=DPI)
    for key, (steps, values) in curves.items():
        if smooth > 1:
            line, = ax.plot(steps, values, alpha=0.25)
            window = min(smooth, len(values))
            ax.plot(steps[window - 1:], _moving_average(values, window),
                    color=line.get_color(), label=f"{key} (mean of {window})")
        else:
            ax.plot(steps, values, label=key)
    if _wants_log_scale(numpy.concatenate([values for _, values in curves.values()])):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(keys[0] if len(keys) == 1 else "loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return _save_and_close(fig, path)


# -- 2-D point clouds and densities -------------------------------------------

def _parse_bounds(bounds, fn):
    """(lo, hi) for both axes, or ((x_lo, x_hi), (y_lo, y_hi)) -> two (lo, hi) pairs."""
    pairs = bounds if numpy.ndim(bounds) == 2 else (bounds, bounds)
    if numpy.shape(pairs) != (2, 2) or not all(lo < hi for lo, hi in pairs):
        raise ValueError(f"{fn}: bounds must be (lo, hi) or ((x_lo, x_hi), (y_lo, y_hi)) "
                         f"with lo < hi, got {bounds!r}")
    return [(float(lo), float(hi)) for lo, hi in pairs]


def _scatter_panel(ax, points, name, x_limits, y_limits):
    ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.5, linewidths=0)
    ax.set_title(f"{name} ({len(points)})")
    ax.set_xlim(*x_limits)
    ax.set_ylim(*y_limits)
    ax.set_aspect("equal")


def _evaluate_density(log_density_fn, x_limits, y_limits, resolution, fn):
    """exp(log_density_fn) on a resolution x resolution grid, rows going up in y."""
    xs = numpy.linspace(*x_limits, resolution)
    ys = numpy.linspace(*y_limits, resolution)
    grid_x, grid_y = numpy.meshgrid(xs, ys)
    points = numpy.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
    log_density = _to_numpy(log_density_fn(points), fn, "log_density_fn's output")
    if log_density.shape != (len(points),):
        raise ValueError(f"{fn}: log_density_fn must map ({len(points)}, 2) points to shape "
                         f"({len(points)},), got {log_density.shape}")
    _check_no_nan(log_density, fn, "log_density_fn's output")
    return numpy.exp(log_density).reshape(resolution, resolution)


def plot_density_2d(log_density_fn, path, data=None, samples=None, bounds=(-4, 4), resolution=200):
    """Side-by-side panels: exp(log density) over ``bounds`` | data | samples.

    ``log_density_fn`` takes an (M, 2) float64 array and returns M log densities
    (a NumPy array or Tensor). Data and samples panels appear only when given.
    """
    fn = "plot_density_2d"
    if not callable(log_density_fn):
        raise TypeError(f"{fn}: log_density_fn must be callable, got {type(log_density_fn).__name__}")
    _check_int(resolution, fn, "resolution", minimum=2)
    x_limits, y_limits = _parse_bounds(bounds, fn)
    point_sets = {name: _as_points(points, fn, name)
                  for name, points in (("data", data), ("samples", samples)) if points is not None}
    path = _png_path(path, fn)
    density = _evaluate_density(log_density_fn, x_limits, y_limits, resolution, fn)

    panels = 1 + len(point_sets)
    fig, axes = plt.subplots(1, panels, figsize=(4 * panels, 4), dpi=DPI, squeeze=False)
    axes[0, 0].imshow(density, origin="lower", extent=(*x_limits, *y_limits), cmap="viridis")
    axes[0, 0].set_title("density")
    for ax, (name, points) in zip(axes[0, 1:], point_sets.items()):
        _scatter_panel(ax, points, name, x_limits, y_limits)
    fig.tight_layout()
    return _save_and_close(fig, path)


def scatter_2d(path, **point_sets):
    """One scatter panel per named (M, 2) point set, e.g. ``data=..., samples=...``.

    All panels share axis limits: the box around every point, plus 5% margin.
    """
    fn = "scatter_2d"
    if not point_sets:
        raise ValueError(f"{fn}: give at least one point set, e.g. scatter_2d(path, data=points)")
    point_sets = {name: _as_points(points, fn, name) for name, points in point_sets.items()}
    all_points = numpy.concatenate(list(point_sets.values()))
    if not numpy.isfinite(all_points).all():
        raise ValueError(f"{fn}: points must be finite, found infinities")
    low, high = all_points.min(axis=0), all_points.max(axis=0)
    margin = 0.05 * numpy.maximum(high - low, 1e-6)
    x_limits, y_limits = zip(low - margin, high + margin)
    path = _png_path(path, fn)

    panels = len(point_sets)
    fig, axes = plt.subplots(1, panels, figsize=(4 * panels, 4), dpi=DPI, squeeze=False)
    for ax, (name, points) in zip(axes[0], point_sets.items()):
        _scatter_panel(ax, points, name, x_limits, y_limits)
    fig.tight_layout()
    return _save_and_close(fig, path)


def scatter_by_label(path, points, labels, title=None):
    """One scatter of (M, 2) points, each coloured by its integer label, with a legend.

    For a 2-D latent space: the codes of test images, coloured by their digit.
    """
    fn = "scatter_by_label"
    points = _as_points(points, fn, "points")
    labels = _to_numpy(labels, fn, "labels")
    if labels.shape != (len(points),) or labels.dtype.kind not in "iu":
        raise ValueError(f"{fn}: expected integer labels of shape ({len(points)},), "
                         f"got {labels.dtype} {labels.shape}")
    path = _png_path(path, fn)
    fig, ax = plt.subplots(figsize=(6, 5), dpi=DPI)
    colours = plt.get_cmap("tab10")
    for index, label in enumerate(numpy.unique(labels)):
        chosen = points[labels == label]
        ax.scatter(chosen[:, 0], chosen[:, 1], s=3, alpha=0.6, linewidths=0,
                   color=colours(index % 10), label=str(label))
    ax.legend(markerscale=4, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _save_and_close(fig, path)


def save_image_rows(rows, path, title=None):
    """Save (R, K, C, H, W) or (R, K, H, W) images as R rows of K columns, e.g. R chains of a
    process shown at K moments (a diffusion's noising or denoising, left to right)."""
    return save_interpolation(rows, path, title)
