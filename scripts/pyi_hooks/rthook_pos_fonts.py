"""PyInstaller runtime hook: let fontconfig (Qt's font database on Linux) see the bundled CJK font.

The bundle ships wqy-microhei at resources/fonts/ with a fonts.conf beside it that includes the
system configuration (/etc/fonts/fonts.conf, so every installed font stays visible) and adds its
own folder (``<dir prefix="relative">``). Pointing FONTCONFIG_FILE at it makes Chinese render on
machines without fonts-wqy-microhei, before any Qt code runs and without the app's help.

Only on Linux/BSD (Qt uses fontconfig there; Windows and macOS have YaHei/PingFang) and only when
nobody chose a FONTCONFIG_FILE already. Runs before the app's own code; must not import Qt.
"""

import os
import sys


def _point_fontconfig_at_bundle() -> None:
    if sys.platform in ("win32", "darwin") or os.environ.get("FONTCONFIG_FILE"):
        return
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None:
        return
    conf = os.path.join(bundle, "resources", "fonts", "fonts.conf")
    if os.path.isfile(conf):
        os.environ["FONTCONFIG_FILE"] = conf


_point_fontconfig_at_bundle()
del _point_fontconfig_at_bundle
