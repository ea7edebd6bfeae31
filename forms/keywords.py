"""The draft-07 validator our forms run on, plus the keywords we add or reshape.

`required` and array `dependencies` are reshaped so the error sits on the missing property's own path
(the form shows it under that field, not on the whole form). `oneOf`/`anyOf` over `{const, title}`
branches (RJSF's titled enum) are checked as a membership test: jsonschema would otherwise build a
validator per branch, which was half the time of a form with a 14-way choice. `x-id-consistency`
cross-checks the chip's sex and birth date against the ID number (domain.md §3.1 rule 6).
`x-contact-mobiles` keeps contacts' mobiles apart from the applicant's, each other's and staff numbers
(§J2 contacts). `x-gb2260` on an address group holds its `province_code` / `city_code` / `district_code`
to real GB/T 2260 divisions, each under the one before (§3.4, forms/regions.py); its `prefill_from`
names the task data field (the chip's registered address) whose division names preselect them (and whose
rest prefills `detail`), its `prefill_to` the deepest level preselected (`city_code` where the same
city is a sensible default for that address but the same street is not).
`x-answer-times` names the group holding each question's answer time in milliseconds, one integer per
question field, recorded by the page of a one-question-at-a-time form (static/app.js): a submission
without it (a browser running no script, or a client answering for the customer in one go) is refused
under that group with a message saying so, and a time for a question left unanswered is refused too;
the group's own schema bounds each time (`minimum` 0, a plausible `maximum`).
`multipleOf` is computed in decimal so `0.01` works for amounts (§3.8).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from jsonschema import Draft7Validator, ValidationError, validators

from forms.format_checks import FieldProblem
from forms.formats import (
    id_birth_date,
    id_sex_code,
    normalise_mobile,
    normalise_resident_id,
    resident_id_problem,
)

ID_CONSISTENCY = "x-id-consistency"
# A field whose value must never be persisted (an OTP): the engine holds it for one request only.
SECRET = "x-secret"  # noqa: S105 - a keyword name, not a secret
ID_CONSISTENCY_FIELDS = ("id_field", "sex_field", "birth_date_field")
CONTACT_MOBILES = "x-contact-mobiles"
CONTACT_MOBILES_SETTINGS = ("applicant_field", "contact_fields")
GB2260 = "x-gb2260"
GB2260_SETTINGS = ("prefill_from", "prefill_to")
ANSWER_TIMES = "x-answer-times"
ANSWER_TIMES_SETTINGS = ("field",)
ANSWER_TIMES_MESSAGES = {
    "answer_times_missing": (
        "未收到每题作答用时：请在平板上逐题作答（页面脚本需已启用），不能一次提交全部答案"
    ),
    "answer_time_without_answer": "此题没有作答，不应有作答用时",
}
# [Sim] Staff records carry no mobile number, so the staff numbers a contact may not use are configured
# here (not in the form: forms are stored with each definition version, and no table holds a clear
# mobile); the default is the sandbox's registered staff phone (§13.3). In production the watch-list's
# mobile screen (`BLOCK_MOBILE` / `STAFF_PHONE`) holds the real list.
STAFF_MOBILES = frozenset({"13900009009"})
CONTACT_MESSAGES = {
    "same_as_applicant": "联系人手机号码不能与申请人本人的手机号码相同",
    "same_as_other_contact": "两位联系人的手机号码不能相同",
    "staff_number": "联系人手机号码不能是本行工作人员的号码",
}


def _missing(name: str) -> ValidationError:
    return ValidationError(f"{name!r} is a required property", validator="required", path=[name])


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "object") and isinstance(required, list):
        yield from (_missing(name) for name in required if name not in instance)


def _dependencies(validator: Any, dependencies: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for name, dependency in dependencies.items():
        if name not in instance:
            continue
        if validator.is_type(dependency, "array"):
            yield from (_missing(each) for each in dependency if each not in instance)
        else:
            yield from validator.descend(instance, dependency, schema_path=name)


_MULTIPLE_OF = Draft7Validator.VALIDATORS["multipleOf"]
_CHOICE_KEYS = frozenset({"const", "title", "description", "$comment"})
_SCALARS = (str, bool, int, float, type(None))


def is_choice_list(branches: Any) -> bool:
    """`[{"const": ..., "title": ...}, ...]` with scalar consts: RJSF's titled enum."""
    return isinstance(branches, list) and all(
        isinstance(b, Mapping)
        and "const" in b
        and b.keys() <= _CHOICE_KEYS
        and isinstance(b["const"], _SCALARS)
        for b in branches
    )


def _same(a: Any, b: Any) -> bool:
    """JSON equality for scalars: true is not 1 (Python says it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _choice_keyword(name: str, exactly_one: bool) -> Any:
    original = Draft7Validator.VALIDATORS[name]

    def check(validator: Any, branches: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not is_choice_list(branches):
            yield from original(validator, branches, instance, schema)
            return
        matches = sum(_same(instance, b["const"]) for b in branches)
        if matches == 0 or (exactly_one and matches > 1):
            yield ValidationError(f"{instance!r} is not one of the allowed choices")

    return check


def _multiple_of(validator: Any, divisor: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """Decimal arithmetic: in binary floating point 19999.99 is "not a multiple of" 0.01."""
    if not validator.is_type(instance, "number") or not validator.is_type(divisor, "number"):
        return
    try:
        multiple = Decimal(repr(instance)) % Decimal(repr(divisor)) == 0
    except ArithmeticError:  # quotient beyond Decimal precision: nothing sensible to say
        yield from _MULTIPLE_OF(validator, divisor, instance, schema)
        return
    if not multiple:
        yield ValidationError(f"{instance!r} is not a multiple of {divisor!r}")


def _id_consistency(validator: Any, spec: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """Only a valid ID is compared: an invalid one already fails its own `resident-id` format."""
    if not (validator.is_type(instance, "object") and isinstance(spec, Mapping)):
        return
    id_value = instance.get(spec.get("id_field", ""))
    if not isinstance(id_value, str) or resident_id_problem(id_value) is not None:
        return
    number = normalise_resident_id(id_value)
    birth = id_birth_date(number)
    expected = {
        spec.get("sex_field"): (id_sex_code(number), "性别与公民身份号码不一致"),
        spec.get("birth_date_field"): (birth.isoformat() if birth else None, "出生日期与公民身份号码不一致"),
    }
    for field, (value, message) in expected.items():
        if isinstance(field, str) and field in instance and instance[field] != value:
            yield ValidationError(message, path=[field], cause=FieldProblem("id_mismatch", message))


def _contact_mobiles(validator: Any, spec: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """Each contact group's `mobile` differs from the applicant's field, from the contacts before it and
    from `STAFF_MOBILES`, however written (+86, dashes). A missing or malformed number is left to
    `required` and the `cn-mobile` format, so each problem is reported once."""
    if not (validator.is_type(instance, "object") and isinstance(spec, Mapping)):
        return
    applicant = instance.get(spec.get("applicant_field", ""))
    applicant = normalise_mobile(applicant) if isinstance(applicant, str) else None
    taken: set[str] = set()
    for field in spec.get("contact_fields") or ():
        contact = instance.get(field)
        mobile = contact.get("mobile") if isinstance(contact, Mapping) else None
        if not isinstance(mobile, str) or not mobile:
            continue
        number = normalise_mobile(mobile)
        if number == applicant:
            code = "same_as_applicant"
        elif number in taken:
            code = "same_as_other_contact"
        else:
            code = "staff_number" if number in STAFF_MOBILES else ""
        taken.add(number)
        if code:
            message = CONTACT_MESSAGES[code]
            yield ValidationError(message, path=[field, "mobile"], cause=FieldProblem(code, message))


def _gb2260(validator: Any, spec: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    from forms.regions import division_problem  # the division table loads on first use

    problem = division_problem(instance)
    if problem is not None:
        field, message = problem
        yield ValidationError(message, path=[field], cause=FieldProblem("unknown_division", message))


def _answer_times(validator: Any, spec: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The timings group is there, and times only questions that were answered; each time's type and
    bounds are the group's own schema."""
    field = spec.get("field") if isinstance(spec, Mapping) else None
    if not (validator.is_type(instance, "object") and isinstance(field, str)):
        return
    timings = instance.get(field)
    if timings is None:
        code = "answer_times_missing"
        yield ValidationError(
            ANSWER_TIMES_MESSAGES[code], path=[field], cause=FieldProblem(code, ANSWER_TIMES_MESSAGES[code])
        )
        return
    if not isinstance(timings, Mapping):
        return  # the group's `type: object` says what is wrong
    code = "answer_time_without_answer"
    for question in timings:
        if instance.get(question) is None:
            message = ANSWER_TIMES_MESSAGES[code]
            yield ValidationError(message, path=[field, question], cause=FieldProblem(code, message))


FormValidator = validators.extend(
    Draft7Validator,
    {
        "required": _required,
        "dependencies": _dependencies,
        "oneOf": _choice_keyword("oneOf", exactly_one=True),
        "anyOf": _choice_keyword("anyOf", exactly_one=False),
        "multipleOf": _multiple_of,
        ID_CONSISTENCY: _id_consistency,
        CONTACT_MOBILES: _contact_mobiles,
        GB2260: _gb2260,
        ANSWER_TIMES: _answer_times,
    },
)
