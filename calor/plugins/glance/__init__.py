"""OS::Glance::WebImage (``conn.image``)."""

from __future__ import annotations

from calor.plugins.glance.web_image import WebImage

PLUGINS = (WebImage,)

__all__ = ["PLUGINS", "WebImage"]
