"""整改透视 · Rectification Lens: reported versus verified rectification progress."""

__version__ = "0.1.0"
