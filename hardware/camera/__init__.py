"""Camera scanning: frame capture on its own thread, barcode decoding and read acceptance.

Nothing is imported here so that ``import hardware.camera`` stays cheap; the OpenCV, zxing-cpp
and pyzbar imports happen in the submodules the composition root picks.
"""
