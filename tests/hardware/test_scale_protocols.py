"""Scale frames parse to integer grams and a status, and what we build parses back the same."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.scale import PROTOCOLS, protocol_named
from hardware.scale.nci import NciResponse, NciScp01, NciWeight
from hardware.scale.protocols import (
    ProtocolError,
    ToledoContinuous,
    ToledoFrame,
    ToledoUnit,
    toledo_checksum,
)
from pos_app.errors import ConfigError
from pos_app.ports.scale import WeightReading, WeightStatus

# Toledo continuous, written out by hand from the format (not by our encoder):
# SWA 0x2D = bit 5 | increment x1 (01 << 3) | decimals 5 (XXX.XXX); SWB 0x30 = bit 5 | kg.
TOLEDO_1234_G = b"\x02\x2d\x30\x20001234000000\r"
TOLEDO_MOVING = b"\x02\x2d\x38\x20000480000000\r"  # SWB bit 3: in motion
TOLEDO_OVER = b"\x02\x2d\x34\x20999999000000\r"  # SWB bit 2: out of range, positive
TOLEDO_UNDER = b"\x02\x2d\x36\x20000020000000\r"  # SWB bits 1+2: out of range, negative
TOLEDO_NEGATIVE = b"\x02\x2d\x32\x20000015000000\r"  # SWB bit 1: -0.015 kg, in range
TOLEDO_GRAMS = b"\x02\x2a\x30\x21  1500000000\r"  # SWA decimals 2 (XXXXXX); SWC unit g
TOLEDO_POUNDS = b"\x02\x2c\x20\x20001234000000\r"  # SWB bit 4 clear: lb


def reading(grams: int, status: WeightStatus) -> WeightReading:
    return WeightReading.of(grams, status)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (TOLEDO_1234_G, reading(1234, WeightStatus.STABLE)),
        (TOLEDO_MOVING, reading(480, WeightStatus.MOTION)),
        (TOLEDO_OVER, reading(999_999, WeightStatus.OVERLOAD)),
        (TOLEDO_UNDER, reading(-20, WeightStatus.UNDERZERO)),
        (TOLEDO_NEGATIVE, reading(-15, WeightStatus.UNDERZERO)),
        (TOLEDO_GRAMS, reading(1500, WeightStatus.STABLE)),
        (TOLEDO_POUNDS, WeightReading.failed()),
    ],
)
def test_toledo_frames_read_as_grams_and_status(frame: bytes, expected: WeightReading) -> None:
    assert ToledoContinuous().reading(frame) == expected


def test_only_a_stable_weight_on_the_platter_is_usable() -> None:
    protocol = ToledoContinuous()
    assert protocol.reading(TOLEDO_1234_G).usable
    assert not protocol.reading(TOLEDO_MOVING).usable
    assert not protocol.reading(TOLEDO_NEGATIVE).usable
    assert not WeightReading.of(0, WeightStatus.STABLE).usable


def test_toledo_decimal_codes_scale_the_digits() -> None:
    # 0.005 kg with 5 g steps (XX.XXX is code 5) and 12.34 kg shown as XXXX.XX (code 4)
    assert ToledoFrame(5, decimals=5, increment=5).grams() == 5
    assert ToledoFrame(1234, decimals=4).grams() == 12_340
    assert ToledoFrame(12, decimals=0).grams() == 1_200_000  # XXXX00 kg
    assert ToledoFrame(1234, decimals=6).grams() is None  # 0.1234 kg: finer than 1 g


def test_a_checksum_is_verified_when_the_scale_sends_one() -> None:
    frame = TOLEDO_1234_G + bytes([toledo_checksum(TOLEDO_1234_G)])
    assert sum(b & 0x7F for b in frame) % 128 == 0  # the definition: all 7-bit sums to zero
    assert PROTOCOLS["toledo-checksum"].reading(frame).grams == 1234
    with pytest.raises(ProtocolError, match="checksum"):
        PROTOCOLS["toledo-checksum"].reading(frame[:-1] + bytes([frame[-1] ^ 1]))


def test_the_parity_bit_is_ignored() -> None:
    with_parity = bytes(b | 0x80 if bin(b).count("1") % 2 else b for b in TOLEDO_1234_G)
    assert ToledoContinuous().reading(with_parity).grams == 1234


def test_protocols_are_chosen_by_their_configuration_name() -> None:
    assert protocol_named("nci").request() == b"W\r"
    assert protocol_named("toledo").request() == b""
    assert protocol_named("toledo-short", command=b"P").request() == b"P"
    with pytest.raises(ConfigError, match="toledo, toledo-short, toledo-checksum, nci"):
        protocol_named("mettler")


def test_the_short_toledo_format_has_no_tare() -> None:
    short = b"\x02\x2d\x30\x20001234\r"
    assert PROTOCOLS["toledo-short"].reading(short).grams == 1234
    assert ToledoFrame.decode(short, with_tare=False).tare is None


@pytest.mark.parametrize(
    "frame",
    [
        b"\x02\x2d\x30\x2000123x000000\r",  # a letter among the digits
        b"\x02\x2d\x30\x20      000000\r",  # no digit at all
        b"\x02\x2d\x30\x20001234000000\n",  # wrong terminator
        b"\x02\x2d\x30\x20001234\r",  # short frame where the long one is configured
    ],
)
def test_malformed_toledo_frames_are_refused(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        ToledoContinuous().reading(frame)


def test_toledo_framing_skips_noise_and_partial_frames() -> None:
    protocol = ToledoContinuous()
    buffer = bytearray(b"\xff\x00noise" + TOLEDO_MOVING[5:] + b"\x02\x02" + TOLEDO_1234_G[:9])
    assert protocol.take_frame(buffer) is None  # the whole frame is not there yet
    buffer += TOLEDO_1234_G[9:] + TOLEDO_MOVING[:4]
    assert protocol.take_frame(buffer) == TOLEDO_1234_G
    assert protocol.take_frame(buffer) is None
    assert bytes(buffer) == TOLEDO_MOVING[:4]


# NCI by hand: status byte 1 = 0x30 | motion (bit 0) ...; byte 2 = 0x30 | under (0), over (1).
NCI_STABLE = b"\n01.234KG\r\nS00\r\x03"
NCI_GRAMS_NO_PREFIX = b"\n  750 g \r\n00\r\x03"
NCI_MOTION = b"\nS10\r\x03"
NCI_OVER = b"\nS02\r\x03"
NCI_UNDER = b"\nS01\r\x03"
NCI_RAM_ERROR = b"\nS40\r\x03"  # 0x34: status byte 1 bit 2
NCI_INITIAL_ZERO_ERROR = b"\nS0p8\r\x03"  # byte 2 0x70: a byte follows; byte 3 bit 3
NCI_POUNDS = b"\n2.50LB\r\nS00\r\x03"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (NCI_STABLE, reading(1234, WeightStatus.STABLE)),
        (NCI_GRAMS_NO_PREFIX, reading(750, WeightStatus.STABLE)),
        (NCI_MOTION, reading(0, WeightStatus.MOTION)),
        (NCI_OVER, reading(0, WeightStatus.OVERLOAD)),
        (NCI_UNDER, reading(0, WeightStatus.UNDERZERO)),
        (b"\n-0.020kg\r\nS00\r\x03", reading(-20, WeightStatus.UNDERZERO)),
        (NCI_RAM_ERROR, WeightReading.failed()),
        (NCI_INITIAL_ZERO_ERROR, WeightReading.failed()),
        (NCI_POUNDS, WeightReading.failed()),
    ],
)
def test_nci_answers_read_as_grams_and_status(frame: bytes, expected: WeightReading) -> None:
    assert NciScp01().reading(frame) == expected


def test_nci_asks_with_w_and_frames_end_at_etx() -> None:
    protocol = NciScp01()
    assert protocol.request() == b"W\r"
    buffer = bytearray(b"noise" + NCI_STABLE[:6])
    assert protocol.take_frame(buffer) is None
    buffer += NCI_STABLE[6:] + NCI_MOTION[:2]
    assert protocol.reading(protocol.take_frame(buffer) or b"").grams == 1234  # noise ignored
    assert bytes(buffer) == NCI_MOTION[:2]


@pytest.mark.parametrize("frame", [b"\n?\r\x03", b"\n1.2.3KG\r\nS00\r\x03", b"garbage\x03"])
def test_malformed_nci_answers_are_refused(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        NciScp01().reading(frame)


sixes = st.integers(min_value=0, max_value=999_999)
toledo_frames = st.builds(
    ToledoFrame,
    weight=sixes,
    decimals=st.integers(min_value=0, max_value=7),
    increment=st.sampled_from([1, 2, 5]),
    unit=st.sampled_from(list(ToledoUnit)),
    negative=st.booleans(),
    out_of_range=st.booleans(),
    motion=st.booleans(),
    net=st.booleans(),
    power_up=st.booleans(),
    print_request=st.booleans(),
    expanded=st.booleans(),
    tare=st.one_of(st.none(), sixes),
)


@given(toledo_frames, st.booleans())
def test_toledo_frames_round_trip(frame: ToledoFrame, checksum: bool) -> None:
    data = frame.encode(checksum=checksum)
    decoded = ToledoFrame.decode(data, with_tare=frame.tare is not None, checksum=checksum)
    assert decoded == frame
    protocol = ToledoContinuous(with_tare=frame.tare is not None, checksum=checksum)
    assert protocol.take_frame(bytearray(b"\x00" + data + data[:3])) == data


@given(toledo_frames)
def test_a_stable_toledo_reading_is_never_a_moving_or_faulty_frame(frame: ToledoFrame) -> None:
    result = frame.reading()
    assert isinstance(result.grams, int)
    if result.stable:
        assert not (frame.motion or frame.out_of_range or frame.power_up or frame.expanded)
        assert result.grams >= 0


nci_weights = st.builds(
    NciWeight,
    value=st.integers(min_value=-99_999, max_value=999_999),
    decimals=st.integers(min_value=0, max_value=4),
    unit=st.sampled_from(["KG", "G", "LB", "OZ"]),
)
nci_answers = st.builds(
    NciResponse,
    weight=st.one_of(st.none(), nci_weights),
    motion=st.booleans(),
    at_zero=st.booleans(),
    ram_error=st.booleans(),
    eeprom_error=st.booleans(),
    under_capacity=st.booleans(),
    over_capacity=st.booleans(),
    rom_error=st.booleans(),
    calibration_error=st.booleans(),
    extra_status=st.lists(st.integers(min_value=0, max_value=15), max_size=3).map(tuple),
    prefix=st.booleans(),
)


@given(nci_answers)
def test_nci_answers_round_trip(answer: NciResponse) -> None:
    data = answer.encode()
    assert NciResponse.decode(data) == answer
    assert NciScp01().take_frame(bytearray(data + b"\n")) == data


@given(nci_answers)
def test_an_nci_reading_is_stable_only_without_motion_range_or_fault(answer: NciResponse) -> None:
    result = answer.reading()
    if result.stable:
        assert answer.weight is not None
        assert not (answer.motion or answer.over_capacity or answer.under_capacity)
        assert not answer.fault
