"""Face camera: model files checked by SHA-256, YuNet + SFace encoding, the in-memory matcher
and the camera thread that reports faces.

Nothing is imported here so that ``import hardware.faces`` stays cheap; OpenCV and numpy are
imported by the submodules the composition root picks.
"""
