"""The `format` values our forms may use: one rule, one normaliser and Chinese messages per format.

Every failure carries a stable problem code (`check_digit`, `birth_date`, ...) so the tablet can react to
the cause, not just to "format".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jsonschema import FormatChecker

from forms import formats as f


class FieldProblem(ValueError):
    """Raised inside jsonschema (format checkers, our keywords) and read back as a FieldError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FormatRule:
    problem: Callable[[str], str | None]
    messages: dict[str, str]
    normalise: Callable[[str], str] | None = None


_DATE_MESSAGES = {"pattern": "日期格式应为YYYY-MM-DD", "invalid_date": "日期不存在，请核对"}

FORMAT_RULES: dict[str, FormatRule] = {
    "resident-id": FormatRule(
        f.resident_id_problem,
        {
            "pattern": "公民身份号码应为18位：前17位为数字，最后一位为数字或X",
            "check_digit": "公民身份号码校验位不正确，请核对号码",
            "birth_date": "公民身份号码中的出生日期无效",
            "address_code": "公民身份号码的地址码无效",
        },
        f.normalise_resident_id,
    ),
    "cn-mobile": FormatRule(f.mobile_problem, {"pattern": "请输入11位中国大陆手机号码"}, f.normalise_mobile),
    "cn-name": FormatRule(
        f.chinese_name_problem,
        {
            "length": "姓名长度应为2至50个字",
            "private_use": "姓名含有私有区造字，请使用标准汉字（GB 18030）",
            "middle_dot": "姓名中的间隔号“·”不能在开头或结尾，也不能连续出现",
            "characters": "姓名只能包含汉字和间隔号“·”",
        },
        f.normalise_chinese_name,
    ),
    "bank-card": FormatRule(
        f.bank_card_problem,
        {
            "pattern": "卡号只能包含数字",
            "length": "卡号应为16至19位数字",
            "check_digit": "卡号校验位不正确，请重新扫描",
        },
        f.normalise_bank_card,
    ),
    "uscc": FormatRule(
        f.uscc_problem,
        {
            "pattern": "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
            "check_digit": "统一社会信用代码校验位不正确",
        },
        f.normalise_uscc,
    ),
    "cn-address-detail": FormatRule(
        f.address_detail_problem,
        {
            "placeholder": "请填写真实的详细地址，不能填写“不详”“无”等内容",
            "length": "详细地址长度应为5至120个字",
            "all_digits": "详细地址不能只有数字",
            "no_cjk": "详细地址应至少包含一个汉字",
        },
        f.normalise_address_detail,
    ),
    "attachment-id": FormatRule(f.attachment_id_problem, {"pattern": "附件无效，请重新拍摄或上传"}),
    "id-valid-to": FormatRule(
        f.id_valid_to_problem,
        {**_DATE_MESSAGES, "pattern": "有效期截止日期应为日期（YYYY-MM-DD）或“长期”"},
    ),
    "date": FormatRule(f.date_problem, _DATE_MESSAGES),
    "date-time": FormatRule(
        f.date_time_problem,
        {
            "pattern": "时间格式应为ISO 8601并带时区，如2025-06-01T09:30:00+08:00",
            "invalid_date": "时间不存在",
        },
    ),
    "email": FormatRule(f.email_problem, {"pattern": "电子邮箱格式不正确"}),
}

KNOWN_FORMATS = frozenset(FORMAT_RULES)


def format_problem(format_name: str, value: str) -> FieldProblem | None:
    """The problem with `value` under `format_name`, or None when fine or the format is unknown."""
    rule = FORMAT_RULES.get(format_name)
    code = rule.problem(value) if rule else None
    if rule is None or code is None:
        return None
    return FieldProblem(code, rule.messages.get(code, "格式不正确"))


def _checker(format_name: str) -> Callable[[object], bool]:
    def check(instance: object) -> bool:
        # Formats only constrain strings (JSON Schema §7.1); `type` reports anything else.
        if isinstance(instance, str):
            problem = format_problem(format_name, instance)
            if problem is not None:
                raise problem
        return True

    return check


def build_format_checker() -> FormatChecker:
    """A checker that knows only our formats: jsonschema's own `date-time` silently passes everything
    unless an optional package is installed, so none of its defaults are trusted."""
    checker = FormatChecker(formats=())
    for name in FORMAT_RULES:
        checker.checks(name, raises=FieldProblem)(_checker(name))
    return checker


FORMAT_CHECKER = build_format_checker()
