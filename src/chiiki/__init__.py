"""Chiiki Mirai (地域未来): analytics and plan management for the 地域未来戦略 cluster plans."""

__version__ = "0.1.0"
