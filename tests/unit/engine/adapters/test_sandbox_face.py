"""Sandbox face comparison (§2.4 B, §13.4)."""

from __future__ import annotations

import pytest


def compare(adapters, id_number="420106199003071238", *, attempt=1, camera=None, photo=True, digest="img-1"):
    return adapters.face.compare(id_number, digest, photo, attempt, camera, f"req-{attempt}")


def test_a_synthetic_or_clean_person_passes_with_a_score_from_85_to_99(adapters):
    scores = [compare(adapters, digest=f"img-{i}").score for i in range(50)]
    assert all(s is not None and 85 <= s <= 99 for s in scores)
    assert len(set(scores)) > 10
    assert compare(adapters).result == "PASS"


def test_the_same_capture_scores_the_same_every_time(adapters):
    assert compare(adapters).score == compare(adapters).score


@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_904_scores_40_and_fails_on_every_attempt(adapters, attempt):
    result = compare(adapters, "420116199505059047", attempt=attempt, digest=f"img-{attempt}")
    assert (result.result, result.score, result.attempt) == ("FAIL", 40.0, attempt)


def test_908_fails_liveness_without_a_score(adapters):
    result = compare(adapters, "420103199401019081")
    assert (result.result, result.score) == ("LIVENESS_FAIL", None)


def test_909_scores_72_which_is_gray(adapters):
    result = compare(adapters, "420104199202029099")
    assert (result.result, result.score) == ("GRAY", 72.0)


def test_the_result_carries_thresholds_engine_version_and_reference(adapters):
    result = compare(adapters)
    assert (result.threshold_pass, result.threshold_gray) == (80.0, 65.0)
    assert result.engine_version and result.reference == "registry"


def test_without_a_registry_photo_the_chip_photo_is_the_reference(adapters):
    assert compare(adapters, "420115197707079032", photo=False).reference == "chip"


def test_a_spoof_on_the_simulated_camera_fails_liveness(adapters):
    assert compare(adapters, camera="spoof").result == "LIVENESS_FAIL"


@pytest.mark.parametrize("label", ["different person", "different_person", "Different-Person"])
def test_a_different_person_on_the_simulated_camera_scores_30_to_50(adapters, label):
    result = compare(adapters, camera=label)
    assert result.result == "FAIL" and result.score is not None and 30 <= result.score <= 50


def test_live_ok_on_the_simulated_camera_is_a_normal_capture(adapters):
    assert compare(adapters, camera="live OK").result == "PASS"


def test_an_unknown_simulated_camera_value_is_refused(adapters):
    with pytest.raises(ValueError, match="simulated camera"):
        compare(adapters, camera="selfie stick")
