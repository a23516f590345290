"""Run records: every training or experiment script keeps what a report needs to cite.

A run is a folder ``runs/<name>/`` holding

- ``config.yaml``: the settings the run used (written when the run starts);
- ``metrics.csv``: one row per epoch (or step), one column per logged quantity;
- ``curves.png``: every logged quantity against the first column, drawn when the run closes;
- anything else the script adds (``summary.json``, ``samples.txt``, figures).

Scripts use it like this::

    from autograder.student.runs import Run

    with Run("twolayer_lr0.1", config=cfg) as run:
        for epoch in range(cfg["epochs"]):
            ...
            run.log(epoch=epoch, train_loss=tl, val_accuracy=va)
        run.save_json("summary.json", {"test_accuracy": acc})
    print(f"run recorded in {run.path}")

Only NumPy-free standard library code runs at import; matplotlib and PyYAML load when used
(the config falls back to a plain ``key: value`` file without PyYAML, and the curves are
skipped with a message without matplotlib). When ``tensorboard`` is installed and the run is
opened with ``tensorboard=True``, each logged value is also written as a TensorBoard scalar.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+=-]{0,99}$")


def _plain(value: Any) -> Any:
    """Turn NumPy scalars, tuples and paths into what YAML and JSON write cleanly."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):
        try:
            return value.item()
        except (TypeError, ValueError):
            pass
    return value


def _write_yaml(path: Path, data: dict) -> None:
    try:
        import yaml
    except ImportError:
        lines = [f"{key}: {json.dumps(value)}" for key, value in data.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


class Run:
    """One run folder: config at the start, a metrics row per ``log`` call, curves at the end."""

    def __init__(self, name: str, config: dict | None = None, root: str | Path = "runs",
                 tensorboard: bool = False):
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"run name {name!r}: use letters, digits and . _ - + = (at most 100 characters)")
        self.name = name
        self.path = Path(root) / name
        if self.path.exists():  # a rerun replaces the old record rather than mixing with it
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self.config = _plain(dict(config or {}))
        _write_yaml(self.path / "config.yaml", self.config)
        self.rows: list[dict] = []
        self.columns: list[str] = []
        self._writer = self._tensorboard() if tensorboard else None
        self.closed = False

    def _tensorboard(self):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except Exception:  # tensorboard (or torch) not installed: CSV and PNG only
            return None
        return SummaryWriter(log_dir=str(self.path / "tensorboard"))

    def log(self, **values: Any) -> None:
        """Append one row; the first key of the first row is the x-axis of the curves."""
        if not values:
            raise ValueError("Run.log needs at least one value, e.g. run.log(epoch=1, loss=0.5)")
        row = {key: _plain(value) for key, value in values.items()}
        new = [key for key in row if key not in self.columns]
        self.columns.extend(new)
        self.rows.append(row)
        self._write_csv()
        if self._writer is not None:
            step = len(self.rows) - 1
            for key, value in row.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._writer.add_scalar(key, value, step)

    def _write_csv(self) -> None:
        with open(self.path / "metrics.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns, restval="")
            writer.writeheader()
            writer.writerows(self.rows)

    def save_json(self, filename: str, data: Any) -> Path:
        target = self.path / filename
        target.write_text(json.dumps(_plain(data), indent=2) + "\n", encoding="utf-8")
        return target

    def save_text(self, filename: str, text: str) -> Path:
        target = self.path / filename
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return target

    def save_figure(self, figure: Any, filename: str) -> Path:
        """Save a matplotlib figure into the run folder (and close it)."""
        target = self.path / filename
        figure.savefig(target, dpi=120, bbox_inches="tight")
        try:
            import matplotlib.pyplot as plt

            plt.close(figure)
        except ImportError:
            pass
        return target

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._writer is not None:
            self._writer.close()
        if self.rows:
            draw_curves(self.path / "metrics.csv", self.path / "curves.png", title=self.name)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _numeric_columns(rows: list[dict], columns: list[str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for col in columns:
        values = []
        for row in rows:
            try:
                values.append(float(row.get(col, "nan")))
            except (TypeError, ValueError):
                values.append(math.nan)
        if any(math.isfinite(v) for v in values):
            out[col] = values
    return out


#: Figures are drawn at the size they are printed (a report places images at their natural size on a
#: letter page, 6.7 inches of text wide): text set at FONT points stays at FONT points on paper.
PRINT_WIDTH = 6.4
FONT = 9
_HIGHER = re.compile(r"acc|bleu|score|f1", re.I)
_RATE = re.compile(r"(^|_)(lr|learning_rate|rate)($|_)", re.I)


def _panel_groups(numeric: dict[str, list[float]]) -> list[tuple[str, dict[str, list[float]]]]:
    """(kind, columns) per panel: losses and the like, accuracies and scores, learning rates."""
    rates = {k: v for k, v in numeric.items() if _RATE.search(k)}
    higher = {k: v for k, v in numeric.items() if k not in rates and _HIGHER.search(k)}
    lower = {k: v for k, v in numeric.items() if k not in rates and k not in higher}
    return [(kind, group) for kind, group in (("lower", lower), ("higher", higher), ("rate", rates)) if group]


def _fixed_range(values: list[float]) -> tuple[float, float] | None:
    """Accuracies in [0, 1] (or percentages, BLEU in [0, 100]) get the whole range, so that the curves of
    different runs, drawn separately, can be compared by eye."""
    finite = [v for v in values if math.isfinite(v)]
    if finite and min(finite) >= 0 and max(finite) <= 1:
        return (0.0, 1.02)
    if finite and min(finite) >= 0 and max(finite) <= 100 and max(finite) > 1:
        return (0.0, 102.0)
    return None


def draw_curves(metrics_csv: Path, target: Path, title: str = "") -> Path | None:
    """Plot every numeric column of ``metrics_csv`` against its first column.

    Losses, perplexities and the like share one panel, from 0; accuracies, BLEU and scores another, on
    their whole range ([0, 1], or [0, 100]), so that separate runs compare by eye; a learning rate gets a
    panel of its own (log scale when it spans a factor of 10 or more). The figure is as wide as a
    printed page's text, its labels 9 pt. Returns the figure's path, or None when matplotlib is
    missing or there is nothing to draw.
    """
    with open(metrics_csv, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        columns = list(reader.fieldnames or [])
    if len(columns) < 2 or not rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib is not installed: {target.name} not drawn (the metrics are in {metrics_csv})")
        return None
    numeric = _numeric_columns(rows, columns)
    x_name = columns[0]
    x = numeric.pop(x_name, list(range(len(rows))))
    panels = _panel_groups(numeric)
    if not panels:
        return None
    with plt.rc_context({"font.size": FONT, "axes.titlesize": FONT, "axes.labelsize": FONT,
                         "legend.fontsize": FONT - 1, "xtick.labelsize": FONT - 1, "ytick.labelsize": FONT - 1}):
        fig, axes = plt.subplots(1, len(panels), figsize=(PRINT_WIDTH if len(panels) > 1 else 4.2, 2.7),
                                 squeeze=False)
        for ax, (kind, group) in zip(axes[0], panels, strict=True):
            for name, values in group.items():
                ax.plot(x, values, marker="o", markersize=2.5, label=name)
            label = ", ".join(group)
            ax.set_xlabel(x_name)
            ax.set_ylabel(label if len(label) <= 28 else {"lower": "loss", "higher": "accuracy / score",
                                                           "rate": "learning rate"}[kind])
            values = [v for vs in group.values() for v in vs if math.isfinite(v)]
            whole = _fixed_range(values) if kind == "higher" else None
            if whole is not None:
                ax.set_ylim(*whole)
            elif kind == "lower" and values and min(values) >= 0:
                ax.set_ylim(bottom=0)    # losses from 0: runs drawn separately compare by eye
            if kind == "rate" and values and min(values) > 0 and max(values) >= 10 * min(values):
                ax.set_yscale("log")
            ax.grid(alpha=0.3)
            if len(group) > 1:
                ax.legend()
        if title:
            fig.suptitle(title, fontsize=FONT + 1)
        fig.tight_layout()
        fig.savefig(target, dpi=150)
        plt.close(fig)
    return target
