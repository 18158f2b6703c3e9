"""Offline maps: shipped boundaries, projection, classification and server-side SVG (docs/maps.md)."""
