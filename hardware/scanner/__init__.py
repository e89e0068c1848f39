"""Barcode scanners that are not keyboard wedges: serial (RS-232 / USB-CDC) scanners.

Nothing is imported here so that ``import hardware.scanner`` stays cheap; ``serial_scanner``
imports pyserial and is loaded only where a serial scanner is configured. Keyboard-wedge scans
are detected by the UI (``ui/input/scan_filter.py``); both end up as ``BarcodeScanned``.
"""
