"""The server reads a 双录's length from its MP4 container and refuses one it cannot read."""

from __future__ import annotations

from engine.adapters.sandbox.recording import sandbox_recording
from engine.attachments import sniff_media_type
from engine.recordings import is_mp4, recording_duration_ms


def test_the_length_comes_from_the_container() -> None:
    for duration_ms in (1, 61_000, 185_450, 2 * 3600 * 1000):
        content = sandbox_recording(duration_ms)
        assert is_mp4(content) and sniff_media_type(content) == "video/mp4"
        assert recording_duration_ms(content) == duration_ms


def test_the_sandbox_recorder_is_deterministic_by_its_arguments() -> None:
    assert sandbox_recording(90_000, seed="a") == sandbox_recording(90_000, seed="a")
    assert sandbox_recording(90_000, seed="a") != sandbox_recording(90_000, seed="b")
    assert len(sandbox_recording(90_000, filler_bytes=10_000)) > 10_000


def test_a_file_without_sound_or_a_readable_length_has_none() -> None:
    content = sandbox_recording(90_000)
    assert recording_duration_ms(content[:200]) is None  # cut before the movie header is whole
    assert recording_duration_ms(content.replace(b"soun", b"text")) is None  # no sound track
    assert recording_duration_ms(b"\x00\x00\x00\x10ftypisom" + bytes(8)) is None  # an empty container
    assert recording_duration_ms(b"not a video at all") is None
    assert not is_mp4(b"\xff\xd8\xff\xe0") and sniff_media_type(b"GIF89a") is None
