"""Run records: config.yaml, metrics.csv with a row per log call, curves.png, reruns replace."""

import csv

import numpy as np
import pytest
import yaml

from autograder.student.runs import Run, draw_curves


def test_a_run_folder_holds_config_metrics_curves_and_extras(tmp_path):
    with Run("lr0.1", config={"lr": np.float64(0.1), "sizes": (8, 4)}, root=tmp_path) as run:
        for epoch in range(3):
            run.log(epoch=epoch, train_loss=1.0 / (epoch + 1))
        run.log(epoch=3, train_loss=0.2, valid_bleu=np.float32(12.5))   # a column that appears later
        run.save_json("summary.json", {"test_accuracy": np.float64(0.9)})
    folder = tmp_path / "lr0.1"
    assert yaml.safe_load((folder / "config.yaml").read_text()) == {"lr": 0.1, "sizes": [8, 4]}
    rows = list(csv.DictReader((folder / "metrics.csv").open()))
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"] and rows[0]["valid_bleu"] == ""
    assert float(rows[3]["valid_bleu"]) == 12.5
    assert (folder / "curves.png").stat().st_size > 1000
    assert '"test_accuracy": 0.9' in (folder / "summary.json").read_text()
    with Run("lr0.1", config={}, root=tmp_path):   # a rerun starts the record afresh
        pass
    assert sorted(p.name for p in folder.iterdir()) == ["config.yaml"]


def test_bad_names_and_empty_logs_are_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="run name '../x'"):
        Run("../x", root=tmp_path)
    run = Run("ok", root=tmp_path)
    with pytest.raises(ValueError, match="at least one value"):
        run.log()
    run.close()
    assert not (tmp_path / "ok" / "curves.png").exists()   # nothing logged, nothing drawn


def test_curves_need_a_numeric_column_besides_the_first(tmp_path):
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("epoch,note\n0,start\n1,end\n")
    assert draw_curves(metrics, tmp_path / "c.png") is None


def test_each_panel_is_labelled_with_its_own_columns(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    labels = []
    original = Axes.set_ylabel

    def record(self, label, *args, **kwargs):
        labels.append(label)
        return original(self, label, *args, **kwargs)

    monkeypatch.setattr(Axes, "set_ylabel", record)
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("epoch,train_ppl,valid_ppl,valid_bleu\n0,5.0,6.0,1.0\n1,3.0,4.0,2.5\n")
    assert draw_curves(metrics, tmp_path / "c.png") == tmp_path / "c.png"
    assert labels == ["train_ppl, valid_ppl", "valid_bleu"]   # BLEU is not called accuracy


def test_figures_are_printed_at_their_size_with_the_learning_rate_on_its_own_axis(tmp_path, monkeypatch):
    """A report places a PNG at its natural size (its DPI), at most a page's text wide (6.7 in): a figure
    drawn 6.4 in wide keeps its 9-pt labels at 9 pt. The learning rate gets a panel of its own (not the loss's
    axis), and accuracies span [0, 1] and losses start at 0 in every run, so that separate runs compare."""
    from matplotlib.figure import Figure
    from PIL import Image

    panels = []
    original = Figure.savefig

    def record(self, *args, **kwargs):
        panels.extend((ax.get_ylabel(), ax.get_ylim(), ax.get_yscale()) for ax in self.axes)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    metrics = tmp_path / "metrics.csv"
    metrics.write_text("epoch,lr,train_loss,test_loss,test_acc\n1,0.001,2.3,2.2,0.1\n2,0.01,1.0,1.1,0.6\n"
                       "3,0.001,0.5,0.7,0.8\n")
    draw_curves(metrics, tmp_path / "c.png")
    image = Image.open(tmp_path / "c.png")
    width_inches = image.size[0] / image.info["dpi"][0]
    assert 6.0 <= width_inches <= 6.5
    (loss, loss_range, _), (acc, acc_range, _), (rate, _, rate_scale) = panels
    assert (loss, acc, rate) == ("train_loss, test_loss", "test_acc", "lr")
    assert loss_range[0] == 0 and acc_range == (0.0, 1.02) and rate_scale == "log"
