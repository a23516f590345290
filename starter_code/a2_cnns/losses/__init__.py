"""Part 2: losses for imbalanced data."""

from .focal_loss import FocalLoss, reweight

__all__ = ["FocalLoss", "reweight"]
