"""Every gallery example in scripts/ runs with no display and writes a non-blank PNG.

Each example runs the way sphinx-gallery runs it (``make docs``): its code
blocks one by one in a fresh ``__main__`` module, ``__name__ == "__main__"``,
no ``__file__``, ``__doc__`` empty, ``sys.argv`` the file alone, in the
example's folder. A ``SystemExit`` escaping a block ends the whole docs build
with status 0 and no pages (issue 23), so it fails the example here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_png

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
EXAMPLES = sorted(SCRIPTS.glob("plot_*.py"))


def _no_display_env():
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment["BRAINVIEW_EXAMPLE_QUICK"] = "1"  # plot_brain_mining: 4 mm, shorter series
    return environment


# sphinx_gallery.gen_rst.execute_script, without Sphinx: the blocks of the example's code
# (sphinx-gallery's own parser when installed, else the whole file) in a fake __main__.
GALLERY_RUNNER = """
import importlib.util, os, sys
source = sys.argv[1]
try:
    from sphinx_gallery.py_source_parser import split_code_and_text_blocks
    blocks = [(b.lineno, b.content) for b in split_code_and_text_blocks(source)[1] if b.type == "code"]
except ImportError:
    blocks = [(1, open(source).read())]
main = importlib.util.module_from_spec(importlib.util.spec_from_loader("__main__", None))
main.__dict__["__doc__"] = ""
sys.modules["__main__"] = main
sys.argv[:] = [source]
sys.path.append(os.getcwd())
for lineno, content in blocks:
    code = compile("\\n" * (lineno - 1) + content, source, "exec")
    try:
        exec(code, main.__dict__)
    except SystemExit as error:
        print(f"SystemExit({error.code!r}) escaped the block at line {lineno}: sphinx-gallery "
              "would stop the docs build there, with no page", file=sys.stderr)
        raise SystemExit(3)  # a normal exit: worker pools shut down
print(f"ran {len(blocks)} block(s)")
"""


def run_like_sphinx_gallery(script, folder, timeout=180):
    """Run ``script`` from a copy in ``folder`` (its cwd), as sphinx-gallery executes examples."""
    copy = folder / script.name
    copy.write_text(script.read_text())
    return subprocess.run([sys.executable, "-c", GALLERY_RUNNER, str(copy)], cwd=folder,
                          env=_no_display_env(), capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_saves_its_figure(script, tmp_path):
    result = run_like_sphinx_gallery(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "block(s)" in result.stdout
    image = tmp_path / f"{script.stem}.png"
    assert image.exists(), f"{script.name} must save {image.name}"
    pixels = read_png(image)
    assert pixels.std() > 5, f"{image.name} is blank"


def test_systemexit_in_an_example_stops_the_docs_build(tmp_path):
    """The runner catches what sphinx-gallery does not: an example ending in SystemExit."""
    example = tmp_path / "src" / "plot_exits.py"
    example.parent.mkdir()
    example.write_text('"""\nExits\n=====\n"""\n\nif __name__ == "__main__":\n    raise SystemExit(0)\n')
    result = run_like_sphinx_gallery(example, tmp_path, timeout=60)
    assert result.returncode == 3 and "SystemExit(0) escaped" in result.stderr


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


def test_demo_writes_the_requested_png(tmp_path):
    output = tmp_path / "demo.png"
    result = subprocess.run(
        [sys.executable, "-m", "brainview.demo", "--output", str(output), "--no-window",
         "--size", "400", "300"],
        cwd=tmp_path, env=_no_display_env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(output) in result.stdout
    pixels = read_png(output)
    assert pixels.shape == (300, 400, 3) and pixels.std() > 5
