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


def draw_curves(metrics_csv: Path, target: Path, title: str = "") -> Path | None:
    """Plot every numeric column of ``metrics_csv`` against its first column.

    Columns whose name mentions accuracy, BLEU or a score share one panel; the rest (losses,
    perplexities, learning rates) share the other. Returns the figure's path, or None when
    matplotlib is missing or there is nothing to draw.
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
    higher = {k: v for k, v in numeric.items() if re.search(r"acc|bleu|score|f1", k, re.I)}
    lower = {k: v for k, v in numeric.items() if k not in higher}
    panels = [(group, ", ".join(group)) for group in (lower, higher) if group]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, (group, label) in zip(axes[0], panels, strict=True):
        for name, values in group.items():
            ax.plot(x, values, marker="o", markersize=3, label=name)
        ax.set_xlabel(x_name)
        ax.set_ylabel(label if len(label) <= 40 else "value")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(target, dpi=120)
    plt.close(fig)
    return target
