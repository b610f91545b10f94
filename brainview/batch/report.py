"""What a batch made: :class:`ItemResult`, :class:`BatchReport`, and the QC page :func:`write_index`.

The page shows names that come from files anyone can name: every text is
HTML-escaped with its control characters made visible (:func:`printable`),
and every image link is a percent-encoded relative path, never a scheme.

Examples
--------
>>> report = BatchReport([ItemResult(0, "a.nii", Path("a.png"), "rendered")])
>>> report.ok, report.summary()
(True, '1 rendered, 0 kept, 0 failed')
"""

from __future__ import annotations

import dataclasses
import html
import os
import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import BrainviewTypeError, describe

__all__ = ["BatchReport", "ItemResult", "printable", "write_index"]

@dataclasses.dataclass(frozen=True)
class ItemResult:
    """What became of one item of a batch.

    Attributes
    ----------
    index : int
        Position of the item in the input.
    label : str
        The item's file name, or ``item<index>`` for in-memory data.
    path : pathlib.Path or None
        The image file (``None`` when images are returned as arrays).
    status : {"rendered", "kept", "failed"}
        ``"kept"``: the file existed and ``overwrite`` was False.
    error : str or None
        ``"ExceptionType: message"`` of a failure.
    traceback : str or None
        The worker's formatted traceback of a failure.
    seconds : float
        Time spent on the item in its worker.
    image : ndarray or None
        The ``(height, width, 3)`` picture when no output file was asked for.
    """

    index: int
    label: str
    path: Path | None
    status: str
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    image: Any = dataclasses.field(default=None, repr=False, compare=False)


class BatchReport:
    """The results of :func:`render_many`, in the order of the items.

    Examples
    --------
    >>> report = BatchReport([ItemResult(0, "a.nii", Path("a.png"), "rendered"),
    ...                       ItemResult(1, "b.nii", None, "failed", error="ValueError: bad")])
    >>> report.ok, [r.label for r in report.failed]
    (False, ['b.nii'])
    >>> print(report.summary())
    1 rendered, 0 kept, 1 failed
      b.nii: ValueError: bad
    """

    def __init__(self, results):
        self.results = tuple(sorted(results, key=lambda result: result.index))

    def _with(self, status):
        return [result for result in self.results if result.status == status]

    @property
    def rendered(self):
        """Items whose image was made in this run."""
        return self._with("rendered")

    @property
    def kept(self):
        """Items whose image file already existed and was kept."""
        return self._with("kept")

    @property
    def failed(self):
        """Items that raised, each with its ``error`` and ``traceback``."""
        return self._with("failed")

    @property
    def ok(self):
        """True when no item failed."""
        return not self.failed

    @property
    def paths(self):
        """The image files of every item that has one, in item order."""
        return [result.path for result in self.results if result.status != "failed" and result.path]

    @property
    def images(self):
        """The pictures (``None`` for failures) when no output file was asked for."""
        return [result.image for result in self.results]

    def summary(self):
        """One line of counts, then one line per failure."""
        lines = [f"{len(self.rendered)} rendered, {len(self.kept)} kept, {len(self.failed)} failed"]
        lines += [f"  {result.label}: {result.error}" for result in self.failed]
        return "\n".join(lines)

    def write_index(self, path, *, title="brainview QC"):
        """Write the contact sheet; see :func:`write_index`."""
        return write_index(self, path, title=title)

    def __len__(self):
        return len(self.results)

    def __repr__(self):
        return f"<BatchReport: {self.summary().splitlines()[0]}>"


def write_index(report, path, *, title="brainview QC"):
    """Write a self-contained HTML contact sheet of a batch's images.

    A grid of every image with its item's file name, a control to sort by
    input order, by name or failures first, and the list of failures with
    their messages. Images are linked by relative path (keep the page next
    to them); the page has no external resource and opens offline.

    Parameters
    ----------
    report : BatchReport
    path : str or pathlib.Path
        The ``.html`` file to write (folders created).
    title : str

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> report = BatchReport([ItemResult(0, "a.nii", Path("a.png"), "rendered")])
    >>> page = write_index(report, Path(tempfile.mkdtemp()) / "index.html")
    >>> 'src="../a.png"' in page.read_text() or 'a.png' in page.read_text()
    True
    """
    if not isinstance(report, BatchReport):
        raise BrainviewTypeError(f"report: expected the BatchReport of render_many, got {describe(report)}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cards = "\n".join(_card(result, path.parent) for result in report.results)
    failures = "\n".join(
        f"<li><b>{_html_text(r.label)}</b>: {_html_text(r.error or '')}</li>" for r in report.failed
    )
    failures_block = (f'<section id="failures"><h2>{len(report.failed)} failed</h2><ul>{failures}</ul></section>'
                      if report.failed else "")
    page = _PAGE.format(title=_html_text(title), summary=_html_text(report.summary().splitlines()[0]),
                        failures=failures_block, cards=cards)
    path.write_text(page, encoding="utf-8")
    return path


def _card(result, folder):
    label = _html_text(result.label)
    failed = int(result.status == "failed")
    if failed:
        body = f'<div class="error">{_html_text(result.error or "failed")}</div>'
    elif result.path is not None:
        link = _relative_link(result.path, folder)
        body = f'<a href="{link}"><img src="{link}" alt="{label}" loading="lazy"></a>'
    else:
        body = '<div class="error">no image file (rendered to an array)</div>'
    return (f'<figure data-index="{result.index}" data-name="{label}" data-failed="{failed}">'
            f"{body}<figcaption>{label}</figcaption></figure>")


def _relative_link(path, folder):
    """A link that can only be a relative file path: each part percent-encoded (``:`` too).

    A name such as ``javascript:alert(1)//.png`` becomes
    ``javascript%3Aalert%281%29//.png``: no scheme, no markup, a file beside the page.
    """
    relative = Path(os.path.relpath(Path(path).absolute(), Path(folder).absolute())).as_posix()
    return "/".join(urllib.parse.quote(part, safe="") for part in relative.split("/"))


def printable(text):
    r"""``text`` with control characters (escape sequences, newlines, NUL) shown as ``\x1b``-style codes.

    Names come from files anyone can name: printed raw, an escape sequence
    drives the terminal, a newline forges a line.

    Examples
    --------
    >>> print(printable("sub\x1b[31m-01\n"))
    sub\x1b[31m-01\n
    """
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


def _html_text(text):
    return html.escape(printable(text), quote=True)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1em; background: #222; color: #eee; }}
#grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 10px; }}
figure {{ margin: 0; background: #333; padding: 4px; border: 2px solid transparent; }}
figure[data-failed="1"] {{ border-color: #e44; }}
img {{ width: 100%; display: block; }}
figcaption {{ font-size: 0.85em; word-break: break-all; padding-top: 3px; }}
.error {{ color: #f88; font-size: 0.85em; min-height: 4em; white-space: pre-wrap; }}
#failures {{ color: #f88; }}
</style></head>
<body>
<h1>{title}</h1>
<p>{summary} &middot; sort by
<select id="sort"><option value="index">input order</option><option value="name">name</option>
<option value="failed">failures first</option></select></p>
{failures}
<div id="grid">
{cards}
</div>
<script>
document.getElementById("sort").addEventListener("change", function () {{
  var key = this.value, grid = document.getElementById("grid");
  var cards = Array.prototype.slice.call(grid.children);
  cards.sort(function (a, b) {{
    if (key === "name") return a.dataset.name.localeCompare(b.dataset.name);
    if (key === "failed" && a.dataset.failed !== b.dataset.failed) return b.dataset.failed - a.dataset.failed;
    return a.dataset.index - b.dataset.index;
  }});
  cards.forEach(function (card) {{ grid.appendChild(card); }});
}});
</script>
</body></html>
"""
