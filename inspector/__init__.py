"""Read-only inspection of used and secondary-market Cisco chassis."""

__version__ = "0.1.0"
