"""Renderers that read inspection records only; none of them contacts a device."""
