"""`make bench`: how close a whole-account audit comes to Zoom's rate-limit bound (docs/performance.md)."""
