"""Fix plans, their safe application, the approval queue and waivers (docs/fixes.md)."""
