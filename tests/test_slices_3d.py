"""3-D slices readable (issue 21): transparent zeros and out-of-window values, no z-fighting, framing on what is drawn."""

import numpy as np
import pytest
from scipy.ndimage import binary_erosion

import brainview as bv
from brainview.geometry.camera import DEFAULT_VIEW, camera_pose
from brainview.geometry.extent import index_box, plane_box, profiles, visible_intervals, world_box

GRID = np.array([[2.0, 0, 0, -20], [0, 2, 0, -20], [0, 0, 2, -20], [0, 0, 0, 1]])
TOP = {"position": (0.0, 0.0, 200.0), "focal_point": (0.0, 0.0, 0.0), "view_up": (0.0, 1.0, 0.0),
       "view_angle": 30.0}
RED, GREEN = [[1, 0, 0, 1], [1, 0, 0, 1]], [[0, 1, 0, 1], [0, 1, 0, 1]]


def _regions():
    """20^3 voxels (2 mm) whose value depends on x (and y): zero, NaN, below, inside, above clim (10, 100)."""
    data = np.zeros((20, 20, 20), np.float32)
    data[5:10] = np.nan
    data[10:15, :10] = 5.0
    data[10:15, 10:] = 50.0
    data[15:] = 500.0
    return data


PROBES = {"zero": (-16, 0), "nan": (-6, 0), "below": (4, -12), "inside": (4, 10), "above": (14, 0)}


def _probe(figure, points, z=0.0):
    image = figure.screenshot().astype(int)
    found = {}
    for name, (x, y) in points.items():
        column, row = figure.pixel_of((x, y, z))
        found[name] = image[int(round(row)), int(round(column))]
    return found


# ------------------------------------------------------------ what is drawn


@pytest.mark.filterwarnings("ignore:img. 2000 of 8000 voxels are NaN")
@pytest.mark.parametrize("bgcolor", ["white", (0.2, 0.3, 0.6)])
def test_zeros_nan_and_values_below_the_window_show_the_background(bgcolor):
    """Bug: zeros were drawn as opaque black squares over the figure's background."""
    figure = bv.figure(size=(160, 160), bgcolor=bgcolor, antialias=False)
    try:
        bv.slices((_regions(), GRID), coords=(0, 0, 0), axes="z", cmap="gray", clim=(10, 100))
        figure.camera = TOP
        pixels = _probe(figure, PROBES)
        background = np.round(np.array(figure.bgcolor) * 255)
    finally:
        bv.close(figure)
    for name in ("zero", "nan", "below"):
        assert np.abs(pixels[name] - background).max() <= 1, name
    assert np.abs(pixels["inside"] - round(40 / 90 * 255)).max() <= 3  # the window's grey
    assert pixels["above"].min() >= 254  # saturated: the colormap's last colour


@pytest.mark.filterwarnings("ignore:img. 2000 of 8000 voxels are NaN")
def test_transparent_below_false_draws_the_first_colour_but_zeros_stay_transparent():
    figure = bv.figure(size=(160, 160), bgcolor="white", antialias=False)
    try:
        layer = bv.slices((_regions(), GRID), coords=(0, 0, 0), axes="z", cmap="gray", clim=(10, 100),
                          transparent_below=False)
        figure.camera = TOP
        pixels = _probe(figure, PROBES)
        assert layer.get_params()["transparent_below"] is False
    finally:
        bv.close(figure)
    assert pixels["below"].max() <= 1  # black: gray's first colour
    assert pixels["zero"].min() >= 254 and pixels["nan"].min() >= 254


@pytest.mark.filterwarnings("ignore:.*2000 of 8000 voxels are NaN")
def test_stat_map_slices_show_the_background_where_the_anatomy_is_zero():
    figure = bv.figure(size=(160, 160), bgcolor="white", antialias=False)
    try:
        stat = np.zeros((20, 20, 20), np.float32)
        stat[12:14, 12:14] = 8.0
        bv.stat_map((stat, GRID), mode="slices", bg=(_regions(), GRID), threshold=3.0, cut_coords=(0, 0, 0))
        figure.camera = TOP
        pixels = _probe(figure, dict(PROBES, stat=(5, 5)))
    finally:
        bv.close(figure)
    for name in ("zero", "nan"):
        assert pixels[name].min() >= 254, name
    assert pixels["inside"].max() < 250  # the anatomy is drawn
    assert pixels["stat"][0] - pixels["stat"][1] > 50  # the map (red) over the grey anatomy


# ------------------------------------------------------------ coplanar layers

ANGLES = [(30, 50), (150, 50), (210, 50), (30, 130), (150, 130), (210, 130)]


def _anatomy():
    return np.full((30, 30, 30), 50.0, np.float32), np.diag([2.0, 2.0, 2.0, 1.0]) + np.c_[np.zeros((4, 3)), [-30, -30, -30, 0]]


def _overlay():
    """A box on another grid (other voxel sizes and origin): its planes' corners differ from the anatomy's."""
    data = np.zeros((37, 41, 33), np.float32)
    data[5:30, 5:30, 5:28] = 10.0
    affine = np.diag([1.5, 1.3, 1.7, 1.0])
    affine[:3, 3] = (-27.3, -25.1, -26.2)
    return data, affine


def _covered(figure, under, views):
    """Per view: (pixels of the overlay alone, of them those showing the layer under it in green)."""
    results = []
    for view in views:
        figure.view(**view)
        under.visible = False
        alone = figure.screenshot().astype(int)
        under.visible = True
        both = figure.screenshot().astype(int)
        mask = binary_erosion(alone[..., 0] > 128)  # one pixel in: edges move by a fraction of a pixel
        results.append((int(mask.sum()), int((both[mask][:, 1] > 128).sum())))
    return results


@pytest.mark.parametrize("axis", ["x", "y", "z"])
def test_a_later_slices_layer_is_on_top_of_coplanar_planes_from_any_angle(axis):
    """Bug: an overlay on the anatomy's planes z-fought (anatomy pixels through the overlay)."""
    figure = bv.figure(size=(120, 120), bgcolor="black", antialias=False)
    try:
        anatomy = bv.slices(_anatomy(), axes=axis, cmap=GREEN, clim=(0, 100), coords=(1, 1, 1))
        bv.slices(_overlay(), axes=axis, cmap=RED, clim=(5, 10), coords=(1, 1, 1))
        results = _covered(figure, anatomy, [dict(azimuth=a, elevation=e) for a, e in ANGLES])
    finally:
        bv.close(figure)
    assert all(shown > 500 for shown, _ in results)
    assert [through for _, through in results] == [0] * len(ANGLES)


def test_three_coplanar_layers_of_different_extents_stack_in_order():
    """The third layer (a small box) is above the second (a large one), not only above the first."""
    small, affine = _overlay()
    small = np.where(np.indices(small.shape)[0] < 18, small, 0).astype(np.float32)
    figure = bv.figure(size=(120, 120), bgcolor="black", antialias=False)
    try:
        bv.slices(_anatomy(), axes="z", cmap=[[0, 0, 1, 1], [0, 0, 1, 1]], clim=(0, 100), coords=(1, 1, 1))
        middle = bv.slices(_overlay(), axes="z", cmap=GREEN, clim=(5, 10), coords=(1, 1, 1))
        bv.slices((small, affine), axes="z", cmap=RED, clim=(5, 10), coords=(1, 1, 1))
        results = _covered(figure, middle, [dict(azimuth=a, elevation=e) for a, e in ANGLES])
    finally:
        bv.close(figure)
    assert all(shown > 200 for shown, _ in results)
    assert [through for _, through in results] == [0] * len(ANGLES)


def test_a_stat_map_in_slices_mode_is_on_top_of_coplanar_anatomy():
    figure = bv.figure(size=(120, 120), bgcolor="black", antialias=False)
    try:
        anatomy = bv.slices(_anatomy(), axes="z", cmap=GREEN, clim=(0, 100), coords=(1, 1, 1))
        data, affine = _overlay()
        # its x and y planes cut where the map is 0 (transparent, no background image): only z shows
        bv.stat_map((data, affine), mode="slices", bg=None, threshold=1.0, cmap=RED, cut_coords=(-26, -24, 1))
        results = _covered(figure, anatomy, [dict(azimuth=a, elevation=e) for a, e in ANGLES])
    finally:
        bv.close(figure)
    assert all(shown > 300 for shown, _ in results)
    assert [through for _, through in results] == [0] * len(ANGLES)


def test_each_panel_of_a_layout_keeps_the_later_layer_on_top():
    """Panels share the planes but look from opposite sides: each lifts them towards its own camera."""
    data, affine = _anatomy()
    inner = np.zeros_like(data)
    inner[7:22, 7:22, 7:22] = data[7:22, 7:22, 7:22]  # inside the overlay: the panels frame the same box
    figure = bv.figure(size=(240, 120), views=[(30, 160), (-30, 20)], bgcolor="black", antialias=False)
    try:
        anatomy = bv.slices((inner, affine), axes="x", cmap=GREEN, clim=(0, 100), coords=(1, 1, 1))
        bv.slices(_overlay(), axes="x", cmap=RED, clim=(5, 10), coords=(1, 1, 1))
        anatomy.visible = False
        alone = figure.screenshot().astype(int)
        anatomy.visible = True
        both = figure.screenshot().astype(int)
    finally:
        bv.close(figure)
    for half in (slice(0, 120), slice(120, 240)):
        mask = binary_erosion(alone[:, half, 0] > 128)
        assert mask.sum() > 300
        assert (both[:, half][mask][:, 1] > 128).sum() == 0


def _textured(shape, affine, seed, box=None):
    """Voxel noise (so a plane moved by a fraction of a mm samples other voxels at some pixels), zero outside ``box``."""
    data = np.random.default_rng(seed).uniform(20.0, 100.0, shape).astype(np.float32)
    if box is not None:
        inside = np.zeros(shape, bool)
        inside[box] = True
        data[~inside] = 0.0
    return data, affine


def _textured_pair():
    """An anatomy (-14..12 mm) inside an overlay's planes (-27..27 mm): the overlay covers all it draws."""
    anatomy = _textured((30, 30, 30), _anatomy()[1], 1, box=np.s_[8:22, 8:22, 8:22])
    overlay = _textured(_overlay()[0].shape, _overlay()[1], 2)
    return anatomy, overlay


DARK_TO_GREEN, DARK_TO_RED = [[0, 0.3, 0, 1], [0, 1, 0, 1]], [[0.3, 0, 0, 1], [1, 0, 0, 1]]


OBLIQUE = {"position": (90.0, -120.0, 72.0), "focal_point": (0.0, 0.0, 0.0), "view_up": (0.0, 0.0, 1.0),
           "view_angle": 30.0}


def _far_point(where):
    """A world point out of OBLIQUE's view: behind its camera, or 3 m beyond the planes and to the side."""
    position, focal = np.array(OBLIQUE["position"]), np.array(OBLIQUE["focal_point"])
    direction = (focal - position) / np.linalg.norm(focal - position)
    side = np.cross(direction, OBLIQUE["view_up"])
    side /= np.linalg.norm(side)
    if where == "behind the camera":
        return position - 500.0 * direction
    return focal + 3000.0 * direction + 3000.0 * side


@pytest.mark.parametrize("where", ["behind the camera", "far beyond the planes"])
def test_an_unrelated_far_prop_changes_the_clipping_range_not_the_planes_pixels(where):
    """Bug: the lift read the renderer's depth range, which every other prop moves: an app's window and
    its exported script drew the same layers from the same camera with other pixels (0-3 %)."""
    anatomy, overlay = _textured_pair()
    figure = bv.figure(size=(120, 120), bgcolor="black", antialias=False)
    try:
        under = bv.slices(anatomy, cmap=DARK_TO_GREEN, clim=(20, 100), coords=(1, 1, 1))
        bv.slices(overlay, cmap=DARK_TO_RED, clim=(20, 100), coords=(1, 1, 1))
        figure.camera = OBLIQUE
        before = figure.screenshot()
        near, far = figure.renderer.GetActiveCamera().GetClippingRange()
        far_away = bv.points([_far_point(where)], size=5, color="white")
        with_prop = figure.screenshot()
        near_with, far_with = figure.renderer.GetActiveCamera().GetClippingRange()
        under.visible = False
        overlay_alone = figure.screenshot()
        under.visible = True
        figure.remove(far_away)
        after = figure.screenshot()
    finally:
        bv.close(figure)
    # the prop moved the range (the depth buffer's precision at the planes) by a large factor ...
    assert max(near_with / near, near / near_with, far_with / far) > 5
    # ... and the planes drew the same pixels with the prop (the lift that read the range moved 187
    # and 2,221 of them). The range still sets the depth buffer's precision: where two perpendicular
    # planes cross, a pixel whose two depths round to the same value may go either way under another
    # range (0 here; at most 2 of 19,200 over 40 poses of three real anatomies).
    assert (with_prop != before).any(axis=2).sum() <= 2
    np.testing.assert_array_equal(after, before)  # the prop removed: the same range again
    # and under that range the overlay (red) still hides every pixel of the anatomy (green) on its planes
    shown = binary_erosion(overlay_alone[..., 0] > 0)  # one pixel in: edges move by a fraction of a pixel
    assert shown.sum() > 1500 and (before[..., 1] > 0).sum() == 0  # the anatomy lies inside the overlay
    assert (with_prop[shown][:, 1] > 0).sum() == 0


def test_depth_step_bounds_the_depth_buffers_step_whatever_the_clipping_range():
    """``_QUANTA`` depth-buffer steps at eye distance z, for every range VTK can set (near >= 0.001 far,
    far >= z), are at most depth_step(z), which no range changes."""
    from brainview import _vtk
    from brainview.render.slices import _QUANTA, depth_step

    renderer = _vtk.vtkRenderer()
    renderer.SetNearClippingPlaneTolerance(0.001)
    camera = renderer.GetActiveCamera()
    rng = np.random.default_rng(7)
    steps = set()
    for _ in range(500):
        depth = rng.uniform(1.0, 5000.0)
        far = depth * rng.uniform(1.0, 100.0)
        near = rng.uniform(0.001 * far, depth)
        camera.SetClippingRange(near, far)
        buffer_step = depth * depth * (far - near) / (far * near) / 2.0 ** 24  # mm per depth-buffer step
        assert _QUANTA * buffer_step <= depth_step(renderer, depth) * (1 + 1e-12)
        camera.SetClippingRange(0.001 * far, far)  # the worst range: the bound is tight at far == depth
        steps.add(depth_step(renderer, 400.0))
    assert len(steps) == 1
    assert depth_step(renderer, 400.0) == pytest.approx(_QUANTA * 400.0 / 0.001 / 2.0 ** 24)


def test_planes_added_to_the_renderer_after_the_figure_changed_are_lifted():
    """Bug: the app's render thread added the planes after the figure's ``changed`` event: they were
    never lifted there, and an overlay z-fought with its anatomy in the app's 3-D view."""
    from brainview import _vtk
    from brainview.render.slices import PlaneStack, lift_step, plane_image, show_plane

    figure = bv.figure(size=(80, 80), bgcolor="black", antialias=False)
    try:
        bv.slices(_anatomy(), axes="z", cmap=GREEN, clim=(0, 100), coords=(1, 1, 1))
        figure.camera = OBLIQUE
        actor = _vtk.vtkImageActor()
        show_plane(actor, plane_image(np.ones((10, 10), np.float32), (0.0, 0.0, 1.0), 2.0, axis="z"))
        stack = PlaneStack(figure, {2: actor})
        figure.renderer.AddViewProp(actor)  # no figure event follows
        figure.screenshot()
        lifted = actor.GetPosition()
        step = lift_step(figure.renderer)
        stack.detach()
    finally:
        bv.close(figure)
    assert step > 0 and lifted == (0.0, 0.0, step)  # one layer below it; towards the camera (+z)


# ------------------------------------------------------------ framing on what is drawn


def _ball(pad):
    """A ball of radius 9 mm on a 2 mm grid, inside ``pad`` voxels of zeros on every side."""
    size = 12 + 2 * pad
    ijk = np.indices((size, size, size)).reshape(3, -1).T - (pad + 5.5)
    values = np.clip(9.0 - 2.0 * np.linalg.norm(ijk, axis=1), 0, None).reshape((size,) * 3)
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = -2.0 * (pad + 5.5)  # the ball at the origin whatever the padding
    return values.astype(np.float32), affine


def _drawn_extent(image, background):
    drawn = np.abs(image.astype(int) - background).max(axis=2) > 10
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    return max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1


@pytest.mark.parametrize("kind", ["slices", "volume"])
def test_a_small_brain_in_a_zero_padded_image_fills_the_picture_as_without_padding(kind):
    """Bug: framing counted the transparent planes and the volume's box: padded brains came out small."""
    extents = []
    for pad in (0, 30):
        figure = bv.figure(size=(160, 160), bgcolor="black", antialias=False)
        try:
            if kind == "slices":
                bv.slices(_ball(pad), coords=(0, 0, 0), cmap="gray", clim=(0.5, 9))
            else:
                bv.volume(_ball(pad), cmap="gray", clim=(0.5, 9), opacity=1.0, ramp="flat")
            extents.append(_drawn_extent(figure.screenshot(), 0))
        finally:
            bv.close(figure)
    assert extents[0] > 100  # the ball fills the picture
    assert abs(extents[1] - extents[0]) <= 0.06 * extents[0]


def test_transparent_and_hidden_layers_do_not_move_the_framing():
    figure = bv.figure(size=(120, 120), antialias=False)
    try:
        bv.slices(_ball(0), coords=(0, 0, 0), clim=(0.5, 9))
        alone = figure.bounds()
        far = bv.points([[300.0, 300, 300]], size=10, opacity=0.0)
        hidden = bv.volume(_ball(30), clim=(-1, 9))
        hidden.visible = False
        assert figure.bounds() == alone
        assert figure.drawer(far).bounds() is None  # its prop has opacity 0
        far.opacity = 1.0
        assert figure.bounds()[1] == pytest.approx(305, abs=6)
    finally:
        bv.close(figure)


def test_extents_are_computed_once_per_data_not_per_render(monkeypatch):
    import brainview.geometry.extent as extent
    import brainview.render.slices as slices

    counts = {"profiles": 0, "planes": 0}
    compute, box = extent._compute_profiles, slices.plane_box

    def counting_profiles(data):
        counts["profiles"] += 1
        return compute(data)

    def counting_box(*args):
        counts["planes"] += 1
        return box(*args)

    monkeypatch.setattr(extent, "_compute_profiles", counting_profiles)
    monkeypatch.setattr(slices, "plane_box", counting_box)
    figure = bv.figure(size=(60, 60), views=["left", "right"], antialias=False)  # bounds at every render
    try:
        volume = bv.volume(_ball(4), clim=(0.5, 9))
        planes = bv.slices(_ball(4), coords=(0, 0, 0), clim=(0.5, 9))
        for _ in range(3):
            figure.screenshot()
        assert counts == {"profiles": 1, "planes": 3}
        volume.clim = (2.0, 9.0)  # a new transfer function reads the profiles again, scans nothing
        planes.z = 2.0  # a new cut: that plane's box only
        figure.screenshot()
        assert counts == {"profiles": 1, "planes": 4}
    finally:
        bv.close(figure)


def test_framing_leaves_out_a_layer_listed_but_not_drawn_yet(monkeypatch):
    """Bug: the app's render thread framed the scene while the GUI thread had listed a new layer that
    thread had not drawn yet: the framing asked for its drawer, raised, and the render thread died."""
    from brainview.layers import Points

    figure = bv.figure(size=(60, 60), antialias=False)
    try:
        bv.slices(_ball(0), coords=(0, 0, 0), clim=(0.5, 9))
        queued = []  # the render thread's queue: its drawing waits there
        monkeypatch.setattr(figure, "_later", lambda work, key=None: queued.append(work))
        far = figure.add(Points([[300.0, 300.0, 300.0]], size=10))
        figure.reset_camera()
        figure.render()  # frames what is drawn: the ball
        alone = figure.camera
        monkeypatch.undo()
        for work in queued:
            work()
        figure.reset_camera()
        both = figure.camera
        assert figure.drawer(far).bounds() is not None
    finally:
        bv.close(figure)
    assert np.abs(alone["focal_point"]).max() < 2.0
    assert min(both["focal_point"]) > 100.0  # drawn, the far point is framed too


# ------------------------------------------------------------ the extent geometry


def test_index_box_is_the_box_of_the_voxels_shown():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(17, 13, 11)).astype(np.float32)
    data[rng.random(data.shape) < 0.02] = np.nan
    for level in (1.5, 2.2, 2.8):
        shown = np.argwhere(np.nan_to_num(data, nan=-9) > level)
        first, last = index_box(data, [(level, 0.0), (level + 0.1, 1.0)])
        assert first == tuple(shown.min(axis=0)) and last == tuple(shown.max(axis=0))
        two_sided = np.argwhere(np.abs(np.nan_to_num(data)) >= level)
        nodes = [(-level - 0.1, 1.0), (-level, 0.2), (-level + 1e-6, 0.0), (level - 1e-6, 0.0), (level, 0.2)]
        first, last = index_box(data, nodes)
        assert first == tuple(two_sided.min(axis=0)) and last == tuple(two_sided.max(axis=0))
    assert index_box(data, [(10.0, 0.0), (11.0, 1.0)]) is None
    assert index_box(data, [(0.0, 0.0), (1.0, 0.0)]) is None  # opacity 0 everywhere
    assert profiles(data) is profiles(data[...])  # cached per array, views included


def test_visible_intervals_and_boxes():
    assert visible_intervals([(1.0, 0.0), (2.0, 0.5), (3.0, 0.0)]) == [(1.0, 3.0, False)]
    assert visible_intervals([(0.0, 0.3), (1.0, 0.3)]) == [(-np.inf, np.inf, True)]
    turned = np.array([[0, -1.0, 0, 5], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    assert world_box(turned, (0, 0, 0), (2, 4, 1)) == (1.0, 5.0, 0.0, 2.0, 0.0, 1.0)
    assert plane_box(np.zeros((3, 3), bool), (0, 0, 0), 1.0, 0) is None


# ------------------------------------------------------------ the default view


def test_the_default_view_sees_all_three_planes_obliquely():
    """No plane edge-on: the default direction makes at least 24 degrees with every plane."""
    pose = camera_pose(bounds=(-70, 70, -100, 70, -50, 80))
    assert np.abs(pose.direction).min() > np.sin(np.radians(24))
    assert camera_pose(*(), azimuth=DEFAULT_VIEW[0], elevation=DEFAULT_VIEW[1],
                       bounds=(-1, 1, -1, 1, -1, 1)).direction.tolist() == pose.direction.tolist()


def test_a_pose_set_before_the_first_render_draws_as_the_same_pose_framed():
    """Bug: VTK chose the near plane's tolerance at the first reset (0.01 without a window, 0.001 with):
    a camera close to a volume's box then drew other pixels from the same pose."""
    shots = []
    pose = None
    for _ in range(2):
        figure = bv.figure(size=(80, 80), antialias=False)
        try:
            bv.volume(_ball(4), cmap="hot", clim=(0.5, 9), opacity=0.5)
            if pose is not None:
                figure.camera = pose
            shots.append(figure.screenshot())
            pose = figure.camera
            near, far = figure.renderer.GetActiveCamera().GetClippingRange()
        finally:
            bv.close(figure)
    np.testing.assert_array_equal(shots[0], shots[1])
    assert near == pytest.approx(0.001 * far)  # the camera is that close: the tolerance decides


@pytest.mark.filterwarnings("ignore:img. 2000 of 8000 voxels are NaN")
def test_html_export_draws_only_the_drawn_pixels_of_a_plane_with_holes():
    """vtk.js has no depth peeling: a plane with transparent zeros exported translucent blended in the
    wrong order with the other planes (the HTML page showed the planes' insides through each other)."""
    from brainview.export import _html_props as html_props

    figure = bv.figure(size=(60, 60), antialias=False)
    try:
        layer = bv.slices((_regions(), GRID), coords=(0, 0, 0), axes="z", cmap="gray", clim=(10, 100))
        actor = figure.drawer(layer).actors["z"]
        exported = html_props.textured_plane(actor)
    finally:
        bv.close(figure)
    shown = int(_drawn_count(layer))
    plane = exported.GetMapper().GetInput()
    assert plane.GetNumberOfCells() == shown and not exported.GetForceTranslucent()
    cells = np.asarray(plane.GetPolys().GetConnectivityArray()).reshape(-1, 4)
    coords = np.asarray(plane.GetPointData().GetTCoords())
    points = np.asarray(plane.GetPoints().GetData())
    centres, texels = points[cells].mean(axis=1), coords[cells].mean(axis=1)
    n_u, n_v = layer.plane_values("z").shape
    origin = layer.plane_origin("z")
    u, v = np.floor(texels[:, 0] * n_u).astype(int), np.floor(texels[:, 1] * n_v).astype(int)
    np.testing.assert_allclose(centres[:, 0], origin[0] + 2.0 * u, atol=1.01)  # each quad on its own texel
    np.testing.assert_allclose(centres[:, 1], origin[1] + 2.0 * v, atol=1.01)
    from brainview.render.slices import drawn_mask
    assert drawn_mask(layer.plane_values("z"), layer)[u, v].all()


def _drawn_count(layer):
    from brainview.render.slices import drawn_mask

    return drawn_mask(layer.plane_values("z"), layer).sum()


def test_slices_are_framed_by_their_planes_corners_centred():
    """Three planes fill less of their box than a solid: framed by the planes' own corners, not the box's."""
    box = (-70.0, 70.0, -100.0, 70.0, -50.0, 80.0)
    planes = np.array([[x, y, z] for x in (-70, 70) for y in (-100, 70) for z in (20,)]
                      + [[x, y, z] for x in (10,) for y in (-100, 70) for z in (-50, 80)]
                      + [[x, y, z] for x in (-70, 70) for y in (-30,) for z in (-50, 80)], dtype=float)
    by_box, by_planes = camera_pose(bounds=box), camera_pose(bounds=box, points=planes)
    distance = np.linalg.norm(by_planes.position - by_planes.focal_point)
    assert distance < 0.95 * np.linalg.norm(by_box.position - by_box.focal_point)
    right = np.cross(-by_planes.direction, by_planes.view_up)
    right /= np.linalg.norm(right)
    across = (planes - by_planes.focal_point) @ right
    assert across.max() + across.min() == pytest.approx(0, abs=1e-6)  # centred across the view
    figure = bv.figure(size=(160, 160), bgcolor="black", antialias=False)
    try:
        bv.slices(_ball(0), coords=(4, -4, 4), cmap="gray", clim=(0.5, 9))
        image = figure.screenshot().astype(int)
    finally:
        bv.close(figure)
    drawn = image.max(axis=2) > 10
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    assert abs((columns[0] + columns[-1]) / 2 - 79.5) <= 8 and abs((rows[0] + rows[-1]) / 2 - 79.5) <= 8
    assert max(rows[-1] - rows[0], columns[-1] - columns[0]) > 120
