"""A failing step is named by its code, never by the data it failed on."""

from __future__ import annotations

from engine.workflow.step_errors import error_text


def test_errors_about_code_keep_their_text() -> None:
    assert error_text(NameError("name 'missing_fee' is not defined")) == (
        "NameError: name 'missing_fee' is not defined"
    )
    assert error_text(KeyError("annual_income")) == "KeyError: 'annual_income'"


def test_errors_that_may_quote_data_give_only_their_type() -> None:
    assert error_text(ValueError("invalid literal for int(): '420106199003071238'")) == "ValueError"
    assert error_text(KeyError("420106199003071238")) == "KeyError"  # a looked-up value, not a field
