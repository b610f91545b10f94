"""A figure as a plain, runnable brainview script: ``bv.*`` calls with every parameter spelled out.

The script is generated from the same description as a scene file (see
:mod:`brainview.export.scene_file`): data files are referenced relative to
the script (in-memory data goes to ``<script>_data/``), dataset loaders are
called by name, and the camera is set to its exact pose, so running the
script draws the same picture.

Examples
--------
>>> import tempfile, os, runpy, brainview as bv
>>> fig = bv.figure(size=(64, 48)); _ = bv.points([[0, 0, 0]], color="red")
>>> path = os.path.join(tempfile.mkdtemp(), "figure.py")
>>> export_script(fig, path)
>>> "bv.points(" in open(path).read()
True
>>> bv.close("all")
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

from .scene_file import data_file_writer, scene_dict

__all__ = ["export_script", "script_text"]


def export_script(figure, path):
    """Write a Python script that rebuilds ``figure``.

    Parameters
    ----------
    figure : brainview.scene.Figure
    path : str or pathlib.Path
        The ``.py`` file to write; in-memory data goes to ``<stem>_data/`` beside it.

    Examples
    --------
    >>> import tempfile, os, brainview as bv
    >>> fig = bv.figure(size=(32, 32)); _ = bv.points([[0, 0, 0]])
    >>> export_script(fig, os.path.join(tempfile.mkdtemp(), "f.py")); fig.close()
    """
    path = Path(path)
    sidecar = data_file_writer(path, copy_inputs=False)
    text = script_text(scene_dict(figure, sidecar=sidecar), name=path.stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def script_text(scene, *, name="figure"):
    """The Python source of a script rebuilding the figure a scene dict describes."""
    from ..layers.registry import layer_class

    lines = [
        f'"""Rebuild the brainview figure {name!r}.',
        "",
        f"Exported by brainview {scene['brainview']} (VTK {scene['vtk']}). Run it with python;",
        'data files are found relative to this script."""',
        "",
        "from pathlib import Path",
        "",
        "import numpy as np  # noqa: F401  (for arrays, when the figure has some)",
        "",
        "import brainview as bv",
        "",
        "HERE = Path(__file__).resolve().parent",
        "",
    ]
    settings = scene["figure"]
    layout = "".join(f", {key}={value!r}" for key, value in settings.get("layout", {}).items())
    lines.append(f"fig = bv.figure(size={tuple(settings['size'])!r}, bgcolor={tuple(settings['bgcolor'])!r}, "
                 f"antialias={settings['antialias']!r}{layout})")
    names = {}
    for index, entry in enumerate(scene["layers"]):
        cls = layer_class(entry["kind"])
        variable = f"layer{index}"
        names[entry["name"]] = variable
        lines.append(f"{variable} = bv.{entry['kind']}({_arguments(cls, entry['params'], names)})")
        for trait, value in entry["state"].items():
            lines.append(f"{variable}.{trait} = {_code(value, names)}")
    for index, panel in enumerate(settings.get("layer_panels") or []):
        if panel is not None:
            lines.append(f"fig.show_in_panel(layer{index}, {panel!r})")
    camera = {key: tuple(value) if isinstance(value, list) else value for key, value in scene["camera"].items()}
    lines.append(f"fig.camera = {camera!r}")
    for spec in scene["annotations"]:
        color = tuple(spec["color"]) if isinstance(spec["color"], list) else spec["color"]
        if spec["kind"] == "title":
            lines.append(f"bv.title({spec['text']!r}, size={spec['size']!r}, color={color!r})")
        else:
            lines.append(f"bv.text({spec['text']!r}, position={tuple(spec['position'])!r}, "
                         f"size={spec['size']!r}, color={color!r})")
    for bar in scene["colorbars"]:
        fmt = f", format={bar['format']!r}" if bar.get("format") is not None else ""
        lines.append(f"bv.colorbar(layer{bar['layer']}, title={bar['title']!r}, n_labels={bar['n_labels']!r}{fmt})")
    lines += ["", 'if __name__ == "__main__":', "    bv.show()", ""]
    return "\n".join(lines)


def _arguments(cls, params, names):
    signature = inspect.signature(cls.__init__)
    parts = []
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.name not in params:
            continue
        code = _code(params[parameter.name], names)
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            parts.append(code)
        else:
            parts.append(f"{parameter.name}={code}")
    return ", ".join(parts)


def _code(value, names):
    """Python source for an encoded parameter value (see brainview.export._encoding)."""
    if isinstance(value, list):
        return "[" + ", ".join(_code(v, names) for v in value) + "]"
    if not isinstance(value, dict):
        return repr(value)
    (key, body), = value.items()
    if key == "$tuple":
        items = [_code(v, names) for v in body]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if key == "$dict":
        return "{" + ", ".join(f"{_code(k, names)}: {_code(v, names)}" for k, v in body) + "}"
    if key == "$array":
        return f"np.array({body['data']!r}, dtype={body['dtype']!r}).reshape({tuple(body['shape'])!r})"
    if key == "$file":
        where = f"HERE / {body['path']!r}"
        if body["role"] == "npy":
            return f"np.load({where})"
        if body["role"] == "nifti" and body.get("order") == "C":
            return f"bv.export.c_ordered_image(__import__('nibabel').load({where}))"
        if body["role"] == "nifti":
            return f"__import__('nibabel').load({where})"
        return f"str({where})"
    if key == "$image":
        return f"bv.io.load_image({_code(body['file'], names)}, volume={body['volume']!r})"
    if key == "$dataset":
        kwargs = ", ".join(f"{k}={_code(v, names)}" for k, v in body["kwargs"]["$dict"])
        call = f"bv.datasets.{body['loader']}({kwargs})"
        return call if body["item"] is None else f"{call}[{body['item']!r}]"
    if key == "$surface":
        return (f"bv.io.Surface({_code(body['vertices'], names)}, {_code(body['faces'], names)}, "
                f"{body['name']!r})")
    if key == "$layer":
        return names[body]
    if key == "$series":
        dtype = ', dtype="category"' if body["categorical"] else ""
        return f"__import__('pandas').Series({_code(body['values'], names)}{dtype})"
    if key == "$dataframe":
        columns = ", ".join(f"{k!r}: {_code(v, names)}" for k, v in body.items())
        return f"__import__('pandas').DataFrame({{{columns}}})"
    if key == "$bunch":
        return "{" + ", ".join(f"{k!r}: {_code(v, names)}" for k, v in body.items()) + "}"
    if key == "$polylines":
        return f"np.split({_code(body['points'], names)}, {_code(body['offsets'], names)}[1:-1])"
    raise ValueError(f"unknown encoded value {key!r}")  # internal: encode() writes only these
