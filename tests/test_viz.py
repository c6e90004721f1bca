"""scratchgen.viz: each picture is written, read back, and checked by size and pixel colour."""
import matplotlib.image
import matplotlib.pyplot as plt
import numpy
import pytest

import autograd
from scratchgen import viz

RED, GREEN, BLUE, WHITE, BLACK = (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (0, 0, 0)


@pytest.fixture(autouse=True)
def _no_figure_left_open():
    yield
    assert plt.get_fignums() == [], "a viz function left a matplotlib figure open"


def read_rgb(path):
    """The PNG at path as an (H, W, 3) float array in [0, 1]."""
    return matplotlib.image.imread(path)[..., :3]


def solid_images(*colours, size=4):
    """(N, 3, size, size) images, each filled with one RGB colour."""
    return numpy.array([numpy.ones((3, size, size)) * numpy.reshape(c, (3, 1, 1)) for c in colours])


def gaussian_log_density(points):
    return -0.5 * (points ** 2).sum(axis=1) - numpy.log(2 * numpy.pi)


# -- image_grid ---------------------------------------------------------------

def test_image_grid_size_of_four_digits():
    grid = viz.image_grid(numpy.zeros((4, 28, 28)))  # nrow = ceil(sqrt(4)) = 2
    assert grid.shape == (2 * (28 + 2) + 2, 2 * (28 + 2) + 2, 3)


def test_image_grid_places_images_left_to_right_then_down():
    grid = viz.image_grid(solid_images(RED, GREEN, BLUE), nrow=2, padding=1, pad_value=0.0)
    assert grid.shape == (2 * 5 + 1, 2 * 5 + 1, 3)
    assert tuple(grid[1, 1]) == RED and tuple(grid[4, 4]) == RED
    assert tuple(grid[1, 6]) == GREEN
    assert tuple(grid[6, 1]) == BLUE
    assert tuple(grid[0, 0]) == BLACK and tuple(grid[5, 5]) == BLACK  # padding
    assert tuple(grid[6, 6]) == BLACK  # the empty fourth cell is padding colour


def test_image_grid_grayscale_becomes_rgb_and_values_are_clipped():
    images = numpy.array([[[-1.0, 0.5], [2.0, 0.25]]])  # (1, 2, 2)
    grid = viz.image_grid(images, padding=0)
    assert grid.shape == (2, 2, 3)
    numpy.testing.assert_array_equal(grid[..., 0], [[0.0, 0.5], [1.0, 0.25]])
    numpy.testing.assert_array_equal(grid[..., 0], grid[..., 2])


def test_image_grid_takes_tensors_and_uint8():
    from_tensor = viz.image_grid(autograd.Tensor(numpy.full((2, 1, 3, 3), 0.5, dtype="float32")))
    assert from_tensor.shape == (1 * 5 + 2, 2 * 5 + 2, 3) and from_tensor[2, 2, 0] == 0.5
    from_uint8 = viz.image_grid(numpy.full((1, 3, 3), 255, dtype=numpy.uint8), padding=0)
    assert from_uint8.max() == 1.0


@pytest.mark.parametrize("images, kwargs, error, message", [
    (numpy.zeros((5, 2, 8, 8)), {}, ValueError,
     r"image_grid: expected images of shape \(N, C, H, W\) or \(N, H, W\) with C in \(1, 3\), "
     r"got \(5, 2, 8, 8\)"),
    (numpy.zeros((8, 8)), {}, ValueError, r"got \(8, 8\)"),
    (numpy.full((1, 4, 4), numpy.nan), {}, ValueError, "image_grid: images contains NaN"),
    (numpy.zeros((2, 4, 4)), {"nrow": 0}, ValueError, "nrow must be an int >= 1"),
    (numpy.zeros((2, 4, 4)), {"padding": -1}, ValueError, "padding must be an int >= 0"),
    (numpy.zeros((2, 4, 4)), {"pad_value": 2.0}, ValueError, r"pad_value must be in \[0, 1\]"),
    (numpy.array([["a"]]), {}, TypeError, "expected images to hold numbers"),
])
def test_image_grid_rejects_bad_input(images, kwargs, error, message):
    with pytest.raises(error, match=message):
        viz.image_grid(images, **kwargs)


# -- save_image_grid ----------------------------------------------------------

def test_save_image_grid_upscales_28_pixel_digits_twice(tmp_path):
    images = numpy.zeros((4, 1, 28, 28))
    images[0, :, :14] = 1.0  # top half of the first digit white
    path = viz.save_image_grid(images, tmp_path / "new" / "folder" / "grid.png")
    assert path == tmp_path / "new" / "folder" / "grid.png" and path.exists()
    picture = read_rgb(path)
    assert picture.shape == (2 * 62, 2 * 62, 3)
    numpy.testing.assert_allclose(picture[2 * 5, 2 * 5], WHITE)   # first digit, top half
    numpy.testing.assert_allclose(picture[2 * 25, 2 * 5], BLACK)  # first digit, bottom half
    numpy.testing.assert_allclose(picture[2 * 5, 2 * 40], BLACK)  # second digit
    numpy.testing.assert_allclose(picture[0, 0], WHITE)           # padding


def test_save_image_grid_colours_and_explicit_upscale(tmp_path):
    path = viz.save_image_grid(solid_images(RED, GREEN, BLUE), tmp_path / "rgb.png", nrow=3, upscale=3)
    picture = read_rgb(path)
    assert picture.shape == (3 * 8, 3 * 20, 3)  # grid (8, 20) from three 4x4 images, padding 2
    for column, colour in zip((2, 8, 14), (RED, GREEN, BLUE)):
        numpy.testing.assert_allclose(picture[3 * 3, 3 * column + 1], colour)


def test_save_image_grid_title_adds_a_strip_on_top(tmp_path):
    images = numpy.zeros((4, 28, 28))
    picture = read_rgb(viz.save_image_grid(images, tmp_path / "titled.png", title="epoch 3"))
    assert picture.shape == (2 * 62 + viz.LABEL_BAND_PIXELS, 2 * 62, 3)
    assert (picture[:viz.LABEL_BAND_PIXELS] < 0.5).any()  # the title's dark text
    numpy.testing.assert_allclose(picture[viz.LABEL_BAND_PIXELS + 10, 10], BLACK)


def test_save_image_grid_rejects_bad_path_and_upscale(tmp_path):
    with pytest.raises(ValueError, match=r"save_image_grid: path must end in .png"):
        viz.save_image_grid(numpy.zeros((1, 4, 4)), tmp_path / "grid.jpg")
    with pytest.raises(ValueError, match="save_image_grid: upscale must be an int >= 1"):
        viz.save_image_grid(numpy.zeros((1, 4, 4)), tmp_path / "grid.png", upscale=0)
    with pytest.raises(ValueError, match="save_image_grid: expected images of shape"):
        viz.save_image_grid(numpy.zeros((1, 2, 4, 4)), tmp_path / "grid.png")


# -- save_interpolation and save_reconstructions ------------------------------

def test_save_interpolation_has_one_row_per_walk(tmp_path):
    rows = numpy.zeros((3, 5, 1, 8, 8))
    rows[1] = 1.0  # the whole middle row white
    picture = read_rgb(viz.save_interpolation(autograd.Tensor(rows), tmp_path / "interp.png"))
    upscale = 7  # ceil(56 / 8)
    assert picture.shape == (upscale * (3 * 10 + 2), upscale * (5 * 10 + 2), 3)
    numpy.testing.assert_allclose(picture[upscale * 5, upscale * 5], BLACK)   # row 0
    numpy.testing.assert_allclose(picture[upscale * 15, upscale * 45], WHITE)  # row 1, last step


def test_save_interpolation_rejects_bad_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"save_interpolation: expected rows of shape .*got \(3, 5, 2, 8, 8\)"):
        viz.save_interpolation(numpy.zeros((3, 5, 2, 8, 8)), tmp_path / "interp.png")
    with pytest.raises(ValueError, match=r"got \(5, 8, 8\)"):
        viz.save_interpolation(numpy.zeros((5, 8, 8)), tmp_path / "interp.png")


def test_save_reconstructions_stacks_inputs_over_reconstructions(tmp_path):
    inputs, reconstructions = numpy.ones((10, 28, 28)), numpy.zeros((10, 28, 28))
    path = viz.save_reconstructions(inputs, reconstructions, tmp_path / "recon.png", n=8)
    picture = read_rgb(path)
    grid_height, grid_width = 2 * 32, 2 * (8 * 30 + 2)
    assert picture.shape == (2 * (viz.LABEL_BAND_PIXELS + grid_height), grid_width, 3)
    inputs_top = viz.LABEL_BAND_PIXELS
    reconstructions_top = 2 * viz.LABEL_BAND_PIXELS + grid_height
    numpy.testing.assert_allclose(picture[inputs_top + 20, 20], WHITE)
    numpy.testing.assert_allclose(picture[reconstructions_top + 20, 20], BLACK)
    assert (picture[:inputs_top] < 0.5).any()  # the "inputs" label


def test_save_reconstructions_shows_all_when_fewer_than_n(tmp_path):
    path = viz.save_reconstructions(numpy.ones((3, 28, 28)), numpy.ones((3, 28, 28)), tmp_path / "r.png")
    assert read_rgb(path).shape[1] == 2 * (3 * 30 + 2)


def test_save_reconstructions_rejects_mismatched_shapes(tmp_path):
    same_shape = "save_reconstructions: inputs and reconstructions must have the same shape"
    with pytest.raises(ValueError, match=same_shape):
        viz.save_reconstructions(numpy.ones((3, 28, 28)), numpy.ones((3, 14, 14)), tmp_path / "r.png")
    with pytest.raises(ValueError, match="save_reconstructions: reconstructions contains NaN"):
        viz.save_reconstructions(numpy.ones((1, 4, 4)), numpy.full((1, 4, 4), numpy.nan), tmp_path / "r.png")
    with pytest.raises(ValueError, match="save_reconstructions: n must be an int >= 1"):
        viz.save_reconstructions(numpy.ones((1, 4, 4)), numpy.ones((1, 4, 4)), tmp_path / "r.png", n=0)


# -- plot_losses --------------------------------------------------------------

LOG = [{"step": step, "time": 0.1 * step, "images_per_s": 900.0, "phase": "train",
        "loss_d": 0.7 - 0.001 * step, "loss_g": 1.0 + 0.01 * step} for step in range(0, 200, 10)]


def test_plot_losses_writes_a_labelled_figure(tmp_path):
    path = viz.plot_losses(LOG, tmp_path / "plots" / "losses.png", smooth=5)
    assert path.exists()
    assert read_rgb(path).shape == (400, 700, 3)


def test_plot_losses_default_keys_skip_step_time_and_throughput():
    assert viz._loss_keys(LOG + [{"step": 200, "eval_nll": 3.0, "done": True}]) == [
        "loss_d", "loss_g", "eval_nll"]


def test_plot_losses_skips_records_without_the_key_and_non_finite_values(tmp_path):
    records = [{"step": 0, "loss": 1.0}, {"step": 1, "eval": 2.0}, {"step": 2, "loss": float("nan")},
               {"step": 3, "loss": 0.5}]
    steps, values = viz._curve(records, "loss")
    numpy.testing.assert_array_equal(steps, [0, 3])
    numpy.testing.assert_array_equal(values, [1.0, 0.5])
    assert viz.plot_losses(records, tmp_path / "gaps.png", keys=["loss"], smooth=10).exists()


def test_plot_losses_helpers_smooth_and_pick_log_scale():
    numpy.testing.assert_allclose(viz._moving_average(numpy.array([1.0, 2.0, 3.0, 4.0]), 2), [1.5, 2.5, 3.5])
    assert viz._wants_log_scale(numpy.array([10.0, 1.0, 0.05]))
    assert not viz._wants_log_scale(numpy.array([10.0, 1.0, 0.2]))
    assert not viz._wants_log_scale(numpy.array([100.0, -1.0, 0.001]))


@pytest.mark.parametrize("records, kwargs, message", [
    ([], {}, "plot_losses: expected a non-empty list of dicts"),
    ([{"loss": 1.0}], {}, "plot_losses: record 0 is not a dict with a numeric 'step'"),
    ([{"step": 0, "time": 1.0}], {}, "plot_losses: the records hold no numeric keys"),
    ([{"step": 0, "loss": 1.0}], {"keys": ["loss_g"]},
     "plot_losses: no record holds a finite number under 'loss_g'"),
    ([{"step": 0, "loss": 1.0}], {"smooth": -1}, "plot_losses: smooth must be an int >= 0"),
])
def test_plot_losses_rejects_bad_input(tmp_path, records, kwargs, message):
    with pytest.raises(ValueError, match=message):
        viz.plot_losses(records, tmp_path / "losses.png", **kwargs)


# -- plot_density_2d and scatter_2d ------------------------------------------

def test_plot_density_2d_panels_side_by_side(tmp_path):
    seen_shapes = []

    def log_density(points):
        seen_shapes.append(points.shape)
        return autograd.Tensor(gaussian_log_density(points))  # a Tensor is fine too

    points = numpy.random.default_rng(0).normal(size=(100, 2))
    path = viz.plot_density_2d(log_density, tmp_path / "density.png", data=points, samples=points,
                               resolution=50)
    assert seen_shapes == [(50 * 50, 2)]
    assert read_rgb(path).shape == (400, 3 * 400, 3)
    density_only = read_rgb(viz.plot_density_2d(gaussian_log_density, tmp_path / "d.png",
                                                 bounds=((-3, 3), (-2, 2)), resolution=20))
    assert density_only.shape == (400, 400, 3)


@pytest.mark.parametrize("log_density_fn, kwargs, error, message", [
    (lambda p: p, {}, ValueError,
     r"log_density_fn must map \(400, 2\) points to shape \(400,\), got \(400, 2\)"),
    (lambda p: numpy.full(len(p), numpy.nan), {}, ValueError, "log_density_fn's output contains NaN"),
    (gaussian_log_density, {"bounds": (4, -4)}, ValueError, "bounds must be"),
    (gaussian_log_density, {"resolution": 1}, ValueError, "resolution must be an int >= 2"),
    (gaussian_log_density, {"data": numpy.zeros((10, 3))}, ValueError,
     r"expected data of shape \(M, 2\) with M >= 1, got \(10, 3\)"),
    (gaussian_log_density, {"samples": numpy.full((3, 2), numpy.nan)}, ValueError, "samples contains NaN"),
    ("not a function", {}, TypeError, "log_density_fn must be callable"),
])
def test_plot_density_2d_rejects_bad_input(tmp_path, log_density_fn, kwargs, error, message):
    kwargs.setdefault("resolution", 20)
    with pytest.raises(error, match=f"plot_density_2d: {message}"):
        viz.plot_density_2d(log_density_fn, tmp_path / "density.png", **kwargs)


def test_scatter_2d_one_panel_per_point_set(tmp_path):
    rng = numpy.random.default_rng(0)
    path = viz.scatter_2d(tmp_path / "points.png", data=rng.normal(size=(200, 2)),
                          samples=autograd.Tensor(rng.normal(size=(200, 2)).astype("float32")))
    assert read_rgb(path).shape == (400, 2 * 400, 3)
    assert read_rgb(viz.scatter_2d(tmp_path / "one.png", data=numpy.zeros((1, 2)))).shape == (400, 400, 3)


@pytest.mark.parametrize("point_sets, message", [
    ({}, "scatter_2d: give at least one point set"),
    ({"data": numpy.zeros(5)}, r"scatter_2d: expected data of shape \(M, 2\) with M >= 1, got \(5,\)"),
    ({"samples": numpy.zeros((0, 2))}, r"got \(0, 2\)"),
    ({"samples": numpy.array([[0.0, numpy.nan]])}, "scatter_2d: samples contains NaN"),
    ({"samples": numpy.array([[0.0, numpy.inf]])}, "scatter_2d: points must be finite"),
])
def test_scatter_2d_rejects_bad_input(tmp_path, point_sets, message):
    with pytest.raises(ValueError, match=message):
        viz.scatter_2d(tmp_path / "points.png", **point_sets)
