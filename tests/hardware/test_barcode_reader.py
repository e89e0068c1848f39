"""Camera scanning: decoding (on zxing's own test images, at zxing's thresholds), read
acceptance, `pos decode`, and the frame thread driven by the simulated camera."""

from __future__ import annotations

import io
import json
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.camera import THRESHOLDS, BlackboxImage, load_set, passes, rotated
from hardware.camera.barcode_reader import (
    BarcodeReader,
    Decoded,
    DecoderName,
    FrameAcceptor,
    Image,
    gs1_hri,
    upca_to_upce,
)
from hardware.camera.capture import CameraScanner, CameraUnavailable, OpenCvCamera, opencv_camera
from hardware.camera.decode_cli import decode_files
from hardware.simulated.camera import SimulatedCamera, SimulatedFrameSource, fit_frame
from pos_app.events import BarcodeScanned

BARCODES = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "barcodes"
F = zxingcpp.BarcodeFormat
BLANK = np.full((480, 640, 3), 200, dtype=np.uint8)


def code_frame(text: str, fmt: zxingcpp.BarcodeFormat = F.EAN13) -> Image:
    """A 640x480 camera frame showing one generated barcode."""
    symbol = zxingcpp.create_barcode(text, fmt)
    return fit_frame(np.asarray(symbol.to_image(scale=3), dtype=np.uint8))


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# --- decoding --------------------------------------------------------------------------------

RETAIL_CODES = [
    (F.UPCA, "036000291452", "UPCA", "036000291452"),
    (F.UPCE, "01234565", "UPCE", "01234565"),
    (F.EAN13, "6901234567892", "EAN13", "6901234567892"),
    (F.EAN8, "69012341", "EAN8", "69012341"),
    (F.Code128, "ABC-123", "Code128", "ABC-123"),
    (F.DataBarOmni, "04412345678909", "DataBar", "04412345678909"),
    (F.DataBarExp, "(01)90012345678908(10)ABC123(17)250101", "DataBarExpanded",
     "(01)90012345678908(10)ABC123(17)250101"),
]  # fmt: skip


@pytest.mark.parametrize("decoder", ["zxing", "zbar"])
@pytest.mark.parametrize(("symbology", "content", "fmt", "text"), RETAIL_CODES)
def test_both_decoders_report_a_code_as_printed(
    decoder: DecoderName, symbology: zxingcpp.BarcodeFormat, content: str, fmt: str, text: str
) -> None:
    found = BarcodeReader((decoder,)).decode(code_frame(content, symbology))

    assert [(d.format, d.text, d.source) for d in found] == [(fmt, text, decoder)]


def test_a_qr_payload_is_returned_exactly_with_its_line_breaks_and_bytes() -> None:
    payload = "ORDER:A1B2\r\nline two\n"

    (found,) = BarcodeReader().decode(code_frame(payload, F.QRCode))

    assert (found.format, found.text, found.source) == ("QRCode", payload, "zxing")
    assert found.raw == payload.encode()
    assert found.symbology_identifier == "]Q1"
    assert len(found.position) == 4


def test_chinese_text_in_a_qr_code_is_decoded_by_zxing_first() -> None:
    (found,) = BarcodeReader().decode(code_frame("会员 6688\n积分", F.QRCode))

    assert (found.text, found.source) == ("会员 6688\n积分", "zxing")


def test_grayscale_bgr_and_bgra_frames_decode_alike() -> None:
    bgr = code_frame("6901234567892")
    frames = [bgr, cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)]

    assert {BarcodeReader().decode(f)[0].text for f in frames} == {"6901234567892"}


def test_a_frame_without_a_barcode_gives_nothing() -> None:
    noise = np.random.default_rng(5).integers(0, 256, (480, 640), dtype=np.uint8)

    assert BarcodeReader().decode(BLANK) == []
    assert BarcodeReader().decode(noise) == []


def test_an_image_that_is_not_8_bit_is_refused() -> None:
    with pytest.raises(ValueError, match="8-bit"):
        BarcodeReader().decode(np.zeros((10, 10), dtype=np.float32))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("upca", "upce"),
    [("012345000065", "01234565"), ("012000004568", "01245608"), ("012300000062", "01230632"),
     ("012340000060", "01234640"), ("036000291452", None), ("212345000065", None)],
)  # fmt: skip
def test_upca_to_upce_follows_the_zero_suppression_rules(upca: str, upce: str | None) -> None:
    assert upca_to_upce(upca) == upce


@pytest.mark.parametrize(
    ("element_string", "hri"),
    [("0190012345678908310301223315991231", "(01)90012345678908(3103)012233(15)991231"),
     ("0190012345678908\x1d10ABC\x1d17250101", "(01)90012345678908(10)ABC(17)250101"),
     ("01900123456789083922795", "(01)90012345678908(3922)795"),
     ("0190012", None), ("ABC", None), ("", None)],
)  # fmt: skip
def test_gs1_element_strings_become_human_readable(element_string: str, hri: str | None) -> None:
    assert gs1_hri(element_string) == hri


# --- zxing's blackbox sets -------------------------------------------------------------------

SETS = [f"zxing/{name}" for name in THRESHOLDS] + [
    "zxing-cpp/falsepositives-1",
    "zxing-cpp/falsepositives-2",
]


@pytest.mark.skipif(not BARCODES.is_dir(), reason=f"zxing test images not found at {BARCODES}")
@pytest.mark.parametrize("set_name", SETS)
def test_each_set_decodes_at_least_zxings_try_harder_threshold_at_0_and_180(
    set_name: str,
) -> None:
    folder = BARCODES / set_name
    if not folder.is_dir():
        pytest.skip(f"set {set_name} not present under {BARCODES}")
    cases, _unloadable = load_set(folder)
    reader = BarcodeReader()

    def decoded(degrees: int) -> int:
        return sum(passes(c, reader.decode(rotated(c.image, degrees))) for c in cases)

    limits = THRESHOLDS.get(folder.name, (len(cases), len(cases)))  # no-barcode: all empty
    at_0, at_180 = decoded(0), decoded(180)
    assert at_0 >= limits[0] and at_180 >= limits[1], (
        f"{set_name}: {at_0}/{at_180} of {len(cases)} at 0/180 degrees, zxing requires "
        f"{limits[0]}/{limits[1]}"
    )


@pytest.mark.skipif(not BARCODES.is_dir(), reason=f"zxing test images not found at {BARCODES}")
def test_pyzbar_reads_what_zxing_misses_and_the_reader_falls_back_to_it() -> None:
    cases, _ = load_set(BARCODES / "zxing" / "upce-3")
    case: BlackboxImage = next(c for c in cases if c.path.name == "08.png")

    assert BarcodeReader(("zxing",)).decode(case.image) == []
    assert [(d.text, d.source) for d in BarcodeReader().decode(case.image)] == [
        (case.expected_text, "zbar")
    ]


# --- accepting reads -------------------------------------------------------------------------


def read(text: str, fmt: str = "EAN13") -> Decoded:
    return Decoded(format=fmt, text=text, raw=text.encode(), source="zxing", position=())


def feed_all(acceptor: FrameAcceptor, frames: list[list[Decoded]]) -> list[str]:
    return [d.text for frame in frames for d in acceptor.feed(frame)]


def longest_absence(text: str, frames: list[list[str]]) -> int:
    longest = run = 0
    for frame in frames:
        run = 0 if text in frame else run + 1
        longest = max(longest, run)
    return longest


def test_a_product_code_is_accepted_when_two_consecutive_frames_agree() -> None:
    acceptor = FrameAcceptor()

    assert acceptor.feed([read("6901234567892")]) == []
    assert acceptor.feed([read("6901234567892")]) == [read("6901234567892")]


def test_a_one_frame_misread_is_never_accepted() -> None:
    frames = [[read("6901234567892")], [read("6901234567885")], [], [read("6901234567892")]]

    assert feed_all(FrameAcceptor(), frames) == []


def test_a_code_the_catalogue_knows_is_accepted_on_one_read() -> None:
    acceptor = FrameAcceptor(is_known={"6901234567892"}.__contains__)

    assert feed_all(acceptor, [[read("6901234567892"), read("6909999999999")]]) == ["6901234567892"]


def test_a_qr_payload_is_accepted_on_one_read() -> None:
    assert feed_all(FrameAcceptor(), [[read("PAY:123\n", "QRCode")]]) == ["PAY:123\n"]


def test_a_code_held_in_view_is_accepted_once_until_it_has_left_view() -> None:
    acceptor = FrameAcceptor(release_frames=3)
    code = [read("6901234567892")]
    frames = [code, code, [], [], code, code, [], [], [], code, code, code]

    assert feed_all(acceptor, frames) == ["6901234567892", "6901234567892"]


def test_reset_forgets_codes_in_view() -> None:
    acceptor = FrameAcceptor(release_frames=3)
    feed_all(acceptor, [[read("PAY:1", "QRCode")]])
    acceptor.reset()

    assert feed_all(acceptor, [[read("PAY:1", "QRCode")]]) == ["PAY:1"]


@given(st.lists(st.lists(st.sampled_from(["A", "B", "Q"]), max_size=3), max_size=40))
def test_accepted_codes_were_confirmed_and_not_repeated_while_in_view(
    frames: list[list[str]],
) -> None:
    release = 2
    acceptor = FrameAcceptor(is_known={"B"}.__contains__, release_frames=release)
    last_accepted: dict[str, int] = {}
    for index, texts in enumerate(frames):
        symbols = [read(t, "QRCode" if t == "Q" else "EAN13") for t in texts]
        for symbol in acceptor.feed(symbols):
            text = symbol.text
            assert text in texts
            assert text in ("B", "Q") or (index > 0 and text in frames[index - 1])
            if text in last_accepted:
                gap = frames[last_accepted[text] + 1 : index]
                assert longest_absence(text, gap) >= release  # it left view in between
            last_accepted[text] = index


# --- pos decode ------------------------------------------------------------------------------


def test_decode_prints_one_json_line_per_symbol_with_newlines_escaped(tmp_path: Path) -> None:
    image = tmp_path / "二维码.png"
    cv2.imencode(".png", code_frame("第一行\r\n第二行\n", F.QRCode))[1].tofile(image)
    out = io.StringIO()

    status = decode_files([image], out, err=io.StringIO())

    lines = out.getvalue().splitlines()
    assert status == 0 and len(lines) == 1
    expected = {"file": str(image), "format": "QRCode", "text": "第一行\r\n第二行\n"}
    assert json.loads(lines[0]) == expected
    assert "第一行\\r\\n第二行\\n" in lines[0]


def test_decode_reports_unreadable_files_and_still_decodes_the_rest(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    good = tmp_path / "ean.png"
    cv2.imwrite(str(good), code_frame("6901234567892"))
    out, err = io.StringIO(), io.StringIO()

    status = decode_files([tmp_path / "missing.png", broken, good], out, err=err)

    assert status == 1
    assert [json.loads(line)["text"] for line in out.getvalue().splitlines()] == ["6901234567892"]
    assert "missing.png" in err.getvalue() and "broken.png" in err.getvalue()


def test_decode_notes_an_image_without_a_barcode_on_stderr(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), BLANK)
    out, err = io.StringIO(), io.StringIO()

    assert decode_files([blank], out, err=err) == 0
    assert out.getvalue() == "" and "no barcode" in err.getvalue()


# --- the frame thread ------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.scans: queue.Queue[BarcodeScanned] = queue.Queue()
        self.statuses: list[tuple[bool, str]] = []
        self._lock = threading.Lock()

    def scan(self, event: BarcodeScanned) -> None:
        self.scans.put(event)

    def status(self, online: bool, detail: str) -> None:
        with self._lock:
            self.statuses.append((online, detail))

    def online_changes(self) -> list[bool]:
        with self._lock:
            return [online for online, _ in self.statuses]


def scanner_for(camera: SimulatedCamera, recorder: Recorder) -> CameraScanner:
    return CameraScanner(camera.open, recorder.scan, on_status=recorder.status, retry_seconds=0.05)


def test_a_code_in_front_of_the_camera_is_published_once_as_a_camera_scan() -> None:
    camera = SimulatedCamera([code_frame("6901234567892")], fps=200)
    recorder = Recorder()
    scanner = scanner_for(camera, recorder)
    scanner.start()
    try:
        assert recorder.scans.get(timeout=5) == BarcodeScanned("6901234567892", "camera")
        time.sleep(0.2)  # many more frames of the same code
        assert recorder.scans.empty()
        assert recorder.online_changes() == [True]
    finally:
        assert scanner.close()
    assert not scanner.running


def test_close_stops_the_frame_thread_and_releases_the_camera() -> None:
    camera = SimulatedCamera([BLANK], fps=100)
    sources: list[SimulatedFrameSource] = []

    def open_camera() -> SimulatedFrameSource:
        sources.append(camera.open())
        return sources[-1]

    scanner = CameraScanner(open_camera, lambda event: None)
    scanner.start()
    assert wait_until(lambda: bool(sources))

    assert scanner.close(timeout=2)
    assert not scanner.running and all(s.closed for s in sources)


def test_a_missing_camera_is_reported_retried_and_used_once_plugged_in() -> None:
    camera = SimulatedCamera([code_frame("6901234567892")], fps=200)
    camera.unplug()
    recorder = Recorder()
    scanner = scanner_for(camera, recorder)
    scanner.start()
    try:
        assert wait_until(lambda: camera.open_attempts >= 3)
        assert recorder.online_changes() == [False]  # reported once, not at every retry
        camera.plug()
        assert recorder.scans.get(timeout=5).text == "6901234567892"

        camera.unplug()  # pulled out mid-sale, then back
        assert wait_until(lambda: recorder.online_changes() == [False, True, False])
        camera.plug()
        assert recorder.scans.get(timeout=5).text == "6901234567892"
        assert recorder.online_changes() == [False, True, False, True]
    finally:
        scanner.close()


def test_a_frame_that_fails_to_decode_or_a_failing_handler_does_not_stop_the_camera() -> None:
    bad = np.zeros((480, 640), dtype=np.float32)
    frames = [bad, code_frame("6901234567892")]
    camera = SimulatedCamera(frames, frames_per_image=3, fps=200, size=None)
    scans: list[str] = []

    def handler(event: BarcodeScanned) -> None:
        scans.append(event.text)
        raise RuntimeError("screen went away")

    acceptor = FrameAcceptor(release_frames=2)
    scanner = CameraScanner(camera.open, handler, acceptor=acceptor, max_decode_fps=None)
    scanner.start()
    try:
        assert wait_until(lambda: len(scans) >= 2)  # the code left view (bad frames) and came back
    finally:
        scanner.close()


def test_the_opencv_camera_reads_a_video_stream_and_refuses_a_missing_device(
    tmp_path: Path,
) -> None:
    video = tmp_path / "counter.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for frame in [BLANK] * 3 + [code_frame("6901234567892")] * 5:
        writer.write(frame)
    writer.release()
    recorder = Recorder()
    scanner = CameraScanner(  # a file is read unpaced: decode every frame
        opencv_camera(str(video)), recorder.scan, on_status=recorder.status, max_decode_fps=None
    )
    scanner.start()
    try:
        assert recorder.scans.get(timeout=5) == BarcodeScanned("6901234567892", "camera")
    finally:
        scanner.close()
    with pytest.raises(CameraUnavailable):
        OpenCvCamera.open(str(tmp_path / "no-such-camera"))
