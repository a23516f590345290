"""Pictures in a public test's feedback: arrays in, small PNG panels out, one HTML output per test.

A public test asks for the ``figures`` fixture and attaches what it wants the student to see
(their saliency map beside the expected one, say) *before* it asserts, so the pictures are there
whether the test passes or fails::

    def test_saliency(student, figures):
        got = ...
        figures.compare(got[0], expected[0], "image 1", kind="map")
        assert_array(got, expected, ...)

The grader draws the panels itself (nothing runs in the student's worker): each array becomes a
PNG of at most :data:`MAX_SIDE` pixels a side (larger arrays are averaged down), encoded here with
``zlib`` (no plotting library, a few milliseconds a panel), and shown as a ``data:`` URI. A test
with pictures gets ``output_format "html"``: its text (the check's message and the student's
printed output) is escaped into a ``<pre>`` block, followed by the panels; :func:`clip_html` keeps
such an output under its budget without ever cutting inside a tag, a character reference or an
image. Hidden and leaderboard tests get a collector that draws nothing: their feedback is the
fixed vocabulary of :mod:`autograder.grading.feedback`.

Everything a panel shows is escaped; a value the student's code returned cannot add markup.
"""

from __future__ import annotations

import base64
import html
import re
import struct
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import numpy as np

#: The largest side of a panel, in array pixels (a larger array is averaged down by a whole factor).
MAX_SIDE = 96
#: How wide a panel is shown, in CSS pixels (browsers scale the small PNG up).
DISPLAY_WIDTH = 168
#: At most this many panels per test (a test that attaches more keeps the first ones).
MAX_PANELS = 12
#: A caption's length at most (captions may hold values the student's code returned).
MAX_CAPTION = 200

# Viridis, sampled at nine points (perceptually uniform; reads in grey too), for maps of one sign.
_SEQUENTIAL = np.array([[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
                        [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]], dtype=np.float64)
# Blue, white, red for signed maps (zero is white).
_DIVERGING = np.array([[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [178, 24, 43]],
                      dtype=np.float64)

KINDS = ("rgb", "map", "signed")


@dataclass
class Panel:
    """One drawn picture: its caption and its PNG as a ``data:`` URI (or a note where none could be drawn)."""

    caption: str
    uri: str = ""
    width: int = 0
    height: int = 0
    note: str = ""

    def html(self) -> str:
        caption = html.escape(self.caption)
        if not self.uri:
            return (f'<div class="panel"><p class="caption">{caption}</p>'
                    f'<p class="note">{html.escape(self.note)}</p></div>')
        shown = DISPLAY_WIDTH if self.width >= self.height else max(1, DISPLAY_WIDTH * self.width // self.height)
        return (f'<div class="panel"><img src="{self.uri}" alt="{caption}" width="{shown}" '
                f'style="image-rendering: pixelated"><p class="caption">{caption}</p></div>')


@dataclass
class Row:
    """Panels shown side by side under a title."""

    title: str
    panels: list[Panel] = field(default_factory=list)

    def html(self) -> str:
        inner = "".join(p.html() for p in self.panels)
        return (f'<div class="figure"><p><strong>{html.escape(self.title)}</strong></p>'
                f'<div class="panels">{inner}</div></div>')


class Figures:
    """What one test attaches. ``enabled`` False (hidden and leaderboard tests) draws nothing."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.rows: list[Row] = []

    def __bool__(self) -> bool:
        return bool(self.rows)

    def _count(self) -> int:
        return sum(len(r.panels) for r in self.rows)

    def row(self, title: str, items: list[tuple[str, Any]], kind: str = "map",
            vrange: tuple[float, float] | None = None) -> None:
        """Draw ``items`` ((caption, array) pairs) side by side, on one shared scale.

        ``kind``: ``"map"`` a non-negative map (H, W), from 0 (dark) to the top of the scale
        (yellow); ``"signed"`` a map (H, W) or an image (H, W, 3) / (3, H, W) of either sign, zero
        in the middle; ``"rgb"`` an image (H, W, 3) or (3, H, W) whose values ``vrange`` maps to
        black and white. Without ``vrange`` the scale comes from the first drawable array, so
        that a map of the wrong size of values looks wrong beside the expected one.
        """
        if not self.enabled:
            return
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        arrays = [_as_picture(a, kind) for _, a in items]
        if vrange is None:
            vrange = next((_scale(a, kind) for a in arrays if isinstance(a, np.ndarray)), (0.0, 1.0))
        panels: list[Panel] = []
        for (caption, _), array in zip(items, arrays, strict=True):
            if self._count() + len(panels) >= MAX_PANELS:
                break
            caption = str(caption)[:MAX_CAPTION]
            if isinstance(array, str):
                panels.append(Panel(caption, note=array))
                continue
            pixels = _colour(_downscale(array), kind, vrange)
            panels.append(Panel(caption, png_uri(pixels), pixels.shape[1], pixels.shape[0]))
        if panels:
            self.rows.append(Row(str(title)[:MAX_CAPTION], panels))

    def compare(self, title: str, expected: Any, got: Any, kind: str = "map",
                vrange: tuple[float, float] | None = None, difference: bool = True) -> None:
        """Expected, yours and (where both can be drawn and have one shape) yours minus expected."""
        if not self.enabled:
            return
        items = [("expected", expected), ("yours", got)]
        self.row(title, items, kind, vrange)
        e, g = _as_picture(expected, kind), _as_picture(got, kind)
        if difference and isinstance(e, np.ndarray) and isinstance(g, np.ndarray) and e.shape == g.shape:
            diff = g - e
            top = float(np.max(np.abs(diff))) if diff.size else 0.0
            caption = f"yours minus expected (largest {top:.3g})" if top > 0 else "yours minus expected (none)"
            if self.rows and self._count() < MAX_PANELS:
                picture = _colour(_downscale(diff), "signed", (-max(top, 1e-30), max(top, 1e-30)))
                self.rows[-1].panels.append(Panel(caption, png_uri(picture), picture.shape[1], picture.shape[0]))

    def html(self) -> str:
        return "".join(r.html() for r in self.rows)


class Discard(Figures):
    """The collector of a hidden or leaderboard test: attaches nothing."""

    def __init__(self) -> None:
        super().__init__(enabled=False)


# ---- arrays to pixels

def _as_picture(value: Any, kind: str) -> np.ndarray | str:
    """A finite float array of the layout ``kind`` draws, or a note saying why there is none."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):      # a torch tensor in the grader
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf" or value.size == 0:
        return f"nothing to draw ({type(value).__name__})"
    array = np.squeeze(np.asarray(value, dtype=np.float64))
    if array.ndim == 3 and array.shape[0] == 3 and array.shape[-1] != 3:
        array = np.moveaxis(array, 0, -1)                      # (3, H, W) -> (H, W, 3)
    if kind == "rgb" and not (array.ndim == 3 and array.shape[-1] == 3):
        return f"nothing to draw (shape {tuple(np.shape(value))}, not an image)"
    if kind != "rgb" and not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] == 3)):
        return f"nothing to draw (shape {tuple(np.shape(value))}, not a map)"
    if array.shape[0] > 64 * MAX_SIDE or array.shape[1] > 64 * MAX_SIDE:
        return f"nothing to draw (shape {tuple(np.shape(value))} is too large)"
    if not np.all(np.isfinite(array)):
        return "nothing to draw (NaN or infinite values)"
    return array


def _scale(array: np.ndarray, kind: str) -> tuple[float, float]:
    if kind == "map":
        return 0.0, float(max(array.max(), 1e-30))
    if kind == "signed":
        top = float(max(np.abs(array).max(), 1e-30))
        return -top, top
    return float(array.min()), float(max(array.max(), array.min() + 1e-30))


def _downscale(array: np.ndarray) -> np.ndarray:
    """Average ``factor x factor`` blocks so that no side exceeds MAX_SIDE (edges cropped)."""
    factor = -(-max(array.shape[0], array.shape[1]) // MAX_SIDE)
    if factor <= 1:
        return array
    h, w = array.shape[0] // factor * factor, array.shape[1] // factor * factor
    blocks = array[:h, :w].reshape(h // factor, factor, w // factor, factor, *array.shape[2:])
    return blocks.mean(axis=(1, 3))


def _ramp(t: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    position = np.clip(t, 0.0, 1.0) * (len(anchors) - 1)
    low = np.minimum(position.astype(int), len(anchors) - 2)
    frac = (position - low)[..., None]
    return anchors[low] * (1 - frac) + anchors[low + 1] * frac


def _colour(array: np.ndarray, kind: str, vrange: tuple[float, float]) -> np.ndarray:
    """uint8 pixels (H, W, 3)."""
    low, high = vrange
    span = max(high - low, 1e-30)
    if array.ndim == 3:          # an image: each channel on the scale (signed: zero is grey)
        rgb = (array - low) / span * 255.0
    elif kind == "signed":
        rgb = _ramp((array - low) / span, _DIVERGING)
    else:
        rgb = _ramp((array - low) / span, _SEQUENTIAL)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def png_bytes(pixels: np.ndarray) -> bytes:
    """A PNG file of ``pixels`` (H, W, 3) uint8: truecolour, each row filtered by its upper neighbour."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    h, w = pixels.shape[:2]
    flat = pixels.reshape(h, w * 3)
    filtered = flat.copy()
    filtered[1:] = flat[1:] - flat[:-1]          # uint8 arithmetic wraps modulo 256, as PNG's filter does
    kinds = np.full((h, 1), 2, np.uint8)
    kinds[:1] = 0                                # the first row has no upper neighbour: unfiltered
    rows = np.concatenate([kinds, filtered], axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
            + chunk(b"IEND", b""))


def png_uri(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii")


def file_uri(data: bytes, mime: str = "image/png") -> str:
    """A ``data:`` URI of a file's bytes (the curves of a recorded run, on the ``check --html`` page)."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# ---- one test's output

def output_html(text: str, figures_html: str) -> str:
    """A test's HTML output: its text, escaped, then its pictures."""
    parts = [f"<pre>{html.escape(text)}</pre>"] if text.strip() else []
    if figures_html:
        parts.append(figures_html)
    return "".join(parts)


_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[^<&]+|[<&]")
_VOID = {"img", "br", "hr", "meta", "input", "source", "wbr"}


def clip_html(markup: str, limit: int) -> str:
    """``markup`` cut to at most ``limit`` characters, never inside a tag, a character reference or an image.

    Tokens (tags, references, runs of text) are kept in order while they fit; a text run may be
    cut, a tag never (an image that does not fit is left out whole). The elements left open are
    closed, and a note says how much was left out.
    """
    if len(markup) <= limit:
        return markup
    note = "<p><em>[... output cut: {} more characters ...]</em></p>"
    budget = max(0, limit - len(note.format(len(markup))))
    out: list[str] = []
    stack: list[str] = []
    used = 0
    left_out = 0
    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        closing = "".join(f"</{t}>" for t in reversed(stack))
        if token.startswith("<") and len(token) > 1 and token.endswith(">"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", token)
            tag = name.group(1).lower() if name else ""
            if token.startswith("</"):
                if stack and stack[-1] == tag:
                    stack.pop()
                    out.append(token)
                    used += len(token)
                continue
            self_closing = tag in _VOID or token.endswith("/>")
            if used + len(token) + len(closing) + (0 if self_closing else len(tag) + 3) > budget:
                if not self_closing:        # leave out the element and everything inside it
                    return _close(out, stack, markup, match.start(), note)
                left_out += len(token)      # an image that does not fit: the rest may
                continue
            out.append(token)
            used += len(token)
            if not self_closing and tag:
                stack.append(tag)
            continue
        room = budget - used - len(closing)
        if len(token) <= room:
            out.append(token)
            used += len(token)
        else:
            if not token.startswith("&") and room > 0:
                out.append(token[:room])
                used += room
            return _close(out, stack, markup, match.start(), note)
    kept = "".join(out) + "".join(f"</{t}>" for t in reversed(stack))
    return kept + (note.format(left_out).replace("output cut", "pictures left out") if left_out else "")


def _close(out: list[str], stack: list[str], markup: str, at: int, note: str) -> str:
    kept = "".join(out)
    return kept + "".join(f"</{t}>" for t in reversed(stack)) + note.format(len(markup) - at)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "img":
            alt = dict(attrs).get("alt") or "a picture"
            self.parts.append(f"\n[figure: {alt}]")
        elif tag in ("p", "div", "pre") and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """What an HTML output says, as plain text (terminal tables, staff tools): images become
    ``[figure: caption]`` lines."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()
