from .content_loss import ContentLoss
from .style_loss import StyleLoss
from .tv_loss import TotalVariationLoss

__all__ = ["ContentLoss", "StyleLoss", "TotalVariationLoss"]
