"""Customer pole displays: layout (display_layout.py), dialects and the PoleDisplay adapter."""
