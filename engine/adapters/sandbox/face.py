"""Sandbox face comparison (§2.4 B, §13.4): outcome by ID scenario (904/908/909) or simulated camera."""

from __future__ import annotations

from engine.adapters.ports import FaceCode, FaceResult
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.timing import FACE, Pacer, stable_fraction
from forms.formats import normalise_resident_id

ENGINE_VERSION = "sandbox-face 3.2.0 [Sim]"
THRESHOLD_PASS = 80.0
THRESHOLD_GRAY = 65.0
# Tablet "simulated camera" choices (non-production builds only); None means a normal live capture.
CAMERA_CHOICES = ("live_ok", "spoof", "different_person")


class SandboxFaceCompare:
    """Scores are fixed by (ID, capture digest, attempt), so a replayed request scores the same.

    Precedence: a `spoof` camera fails liveness, a `different_person` camera scores 30–50, then the ID
    scenario (904 → 40, 908 → liveness fail, 909 → 72), otherwise 85–99.
    """

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    def compare(
        self,
        id_number: str,
        live_image_digest: str,
        has_registry_photo: bool,
        attempt: int,
        simulated_camera: str | None,
        request_id: str,
    ) -> FaceResult:
        camera = normalise_camera(simulated_camera)
        number = normalise_resident_id(id_number)
        self._pacer.inject_faults(FACE, request_id)
        self._pacer.wait(FACE, number, live_image_digest, attempt, request_id)
        score = self._score(number, live_image_digest, attempt, camera)
        return FaceResult(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=classify(score),
            score=score,
            attempt=attempt,
            engine_version=ENGINE_VERSION,
            reference="registry" if has_registry_photo else "chip",
            threshold_pass=THRESHOLD_PASS,
            threshold_gray=THRESHOLD_GRAY,
        )

    @staticmethod
    def _score(number: str, digest: str, attempt: int, camera: str) -> float | None:
        scenario = fixtures.FACE_SCENARIOS.get(fixtures.sequence_code(number))
        if camera == "spoof" or (scenario == "LIVENESS_FAIL" and camera == "live_ok"):
            return None
        draw = stable_fraction("face", number, digest, attempt)
        if camera == "different_person":
            return round(30 + 20 * draw, 2)
        if scenario in fixtures.FACE_FIXED_SCORES:
            return fixtures.FACE_FIXED_SCORES[scenario]
        return round(85 + 14 * draw, 2)


def classify(score: float | None) -> FaceCode:
    if score is None:
        return "LIVENESS_FAIL"
    if score >= THRESHOLD_PASS:
        return "PASS"
    return "GRAY" if score >= THRESHOLD_GRAY else "FAIL"


def normalise_camera(value: str | None) -> str:
    """Accepts the tablet's labels ("live OK", "spoof", "different person") in any case/spacing."""
    camera = "live_ok" if value is None else value.strip().lower().replace(" ", "_").replace("-", "_")
    if camera not in CAMERA_CHOICES:
        raise ValueError(f"unknown simulated camera {value!r}; expected one of {CAMERA_CHOICES}")
    return camera
