"""Serial scales: protocols as typed records (protocols.py, nci.py) and the SerialScale adapter
(serial_scale.py, which needs pyserial and is imported only where a serial scale is used)."""

from __future__ import annotations

from typing import Final

from hardware.scale.nci import NciScp01
from hardware.scale.protocols import ScaleProtocol, ToledoContinuous
from pos_app.errors import ConfigError

PROTOCOLS: Final[dict[str, ScaleProtocol]] = {
    "toledo": ToledoContinuous(),
    "toledo-short": ToledoContinuous(with_tare=False, name="toledo-short"),
    "toledo-checksum": ToledoContinuous(checksum=True, name="toledo-checksum"),
    "nci": NciScp01(),
}
"""Protocols by their configuration name (``[devices.scale] protocol``)."""


def protocol_named(name: str, *, command: bytes = b"") -> ScaleProtocol:
    """The protocol for a configuration name; ``command`` is a Toledo indicator's print command
    in demand mode. Raises ConfigError naming the choices."""
    protocol = PROTOCOLS.get(name)
    if protocol is None:
        raise ConfigError(f"devices.scale.protocol must be one of {', '.join(PROTOCOLS)}")
    if command and isinstance(protocol, ToledoContinuous):
        return ToledoContinuous(protocol.with_tare, protocol.checksum, command, protocol.name)
    return protocol
