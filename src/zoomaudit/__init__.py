"""zoomaudit: audits Zoom meeting configurations against safeguarding policies."""

__version__ = "0.1.0"
