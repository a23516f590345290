"""Answers written in LaTeX, read by pandoc's LaTeX reader into the Markdown the report is made of.

No LaTeX installation is involved: pandoc (inside the ``pypandoc_binary`` wheel) parses the
fragment, and the report is then set by Typst like every other answer. Two ways in:

- a fenced block in ``report.md``::

      ```latex
      By the chain rule, \\[ \\frac{\\partial L}{\\partial z_k} = p_k - \\mathbb{1}[k = y]. \\]
      ```

- a file beside the report, named like a figure: ``![](answers/q1a.tex)``.

A fragment is a piece of a document body (no ``\\documentclass``, no ``\\begin{document}``).
Commands pandoc does not know are reported, with the fragment they are in, rather than printed.
"""

from __future__ import annotations

import re
import subprocess

_FENCE_OPEN = re.compile(r"^(\s*)(```|~~~)\s*\{?\s*\.?(latex|tex)\s*\}?\s*$", re.I)
_RAW_LATEX = re.compile(r"`([^`]*)`\{=latex\}|```\{=latex\}\n(.*?)\n```", re.S)
_WRAPPER = re.compile(r"\\(documentclass|begin\{document\}|usepackage)")


class LatexError(ValueError):
    """A LaTeX fragment pandoc could not read (or read only in part)."""


def latex_to_markdown(tex: str, where: str) -> str:
    """Markdown (with ``$...$`` math) for a LaTeX fragment; LatexError names ``where`` on a problem."""
    from .render import pandoc_binary

    found = _WRAPPER.search(tex)
    if found:
        raise LatexError(f"{where}: give a LaTeX fragment, the body only (found \\{found.group(1)}); "
                         "the report makes the page")
    proc = subprocess.run([pandoc_binary(), "-f", "latex+raw_tex", "-t", "markdown-raw_html-fenced_divs-bracketed_spans"
                           "-header_attributes-link_attributes-native_divs-native_spans",
                           "--wrap=none"], input=tex.encode("utf-8"), capture_output=True)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LatexError(f"{where}: pandoc could not read the LaTeX: {' '.join(detail)[:400]}")
    text = proc.stdout.decode("utf-8")
    unknown = [(a or b).strip() for a, b in _RAW_LATEX.findall(text)]
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:4])
        raise LatexError(f"{where}: LaTeX that pandoc keeps as raw TeX and the report cannot show: {shown} "
                         "(use standard LaTeX commands, or define your own with \\newcommand in the fragment)")
    return text.strip()


def convert_fences(markdown: str, where: str) -> str:
    """Replace every fenced ```latex block of an answer by its Markdown."""
    lines = markdown.splitlines()
    out: list[str] = []
    i = 0
    fence = None
    while i < len(lines):
        line = lines[i]
        m = _FENCE_OPEN.match(line) if fence is None else None
        if m:
            closing = m.group(2)
            j = i + 1
            while j < len(lines) and lines[j].strip() != closing:
                j += 1
            if j == len(lines):
                raise LatexError(f"{where}: the ```latex block opened on its line {i + 1} is never closed")
            out += ["", latex_to_markdown("\n".join(lines[i + 1:j]), where), ""]
            i = j + 1
            continue
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
        out.append(line)
        i += 1
    return "\n".join(out)
