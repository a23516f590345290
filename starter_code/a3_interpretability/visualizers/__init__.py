from .class_visualization import ClassVisualization
from .fooling_image import FoolingImage
from .gradcam import GradCam
from .saliency_map import SaliencyMap

__all__ = ["ClassVisualization", "FoolingImage", "GradCam", "SaliencyMap"]
