"""The check catalogue. Every module here registers its checks when imported."""
