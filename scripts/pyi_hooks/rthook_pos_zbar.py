"""PyInstaller runtime hook: let pyzbar find the libzbar bundled beside the app.

pyzbar looks for libzbar with ``ctypes.util.find_library("zbar")`` (Linux, macOS), which only
searches the system (ldconfig's cache), so a bundle on a till without Debian's libzbar0 would
lose its second decoder. build.spec copies libzbar into the bundle folder; this hook wraps
``find_library`` so that, for "zbar" only, the bundled copy is answered first; every other name,
and "zbar" when nothing was bundled, goes to the original. Windows needs nothing: pyzbar's wheel
carries its DLLs, which the spec collects. Runs before the app's code; imports only ctypes.
"""

import ctypes.util
import os
import sys


def _prefer_bundled_zbar() -> None:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None or sys.platform == "win32":
        return
    names = sorted(
        name for name in os.listdir(bundle)
        if name.startswith("libzbar.") and (".so" in name or name.endswith(".dylib"))
    )
    if not names:
        return
    bundled = os.path.join(bundle, names[0])
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        return bundled if name == "zbar" else original(name)

    ctypes.util.find_library = find_library


_prefer_bundled_zbar()
del _prefer_bundled_zbar
