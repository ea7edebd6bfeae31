"""Check characters and format rules of domain.md §3, including the standards' published examples."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.format_checks import FORMAT_RULES, format_problem
from forms.formats import (
    address_detail_problem,
    attachment_id_problem,
    bank_card_problem,
    chinese_name_problem,
    date_problem,
    date_time_problem,
    email_problem,
    id_birth_date,
    id_check_char,
    id_sex_code,
    id_valid_to_problem,
    is_bank_card_number,
    is_luhn_valid,
    is_mainland_mobile,
    is_uscc,
    luhn_check_digit,
    normalise_chinese_name,
    normalise_mobile,
    normalise_resident_id,
    resident_id_problem,
    uscc_check_char,
    uscc_problem,
)


def with_check_char(first17: str) -> str:
    return first17 + id_check_char(first17)


# --- §3.1 resident ID ------------------------------------------------------------------------------


def test_the_standards_published_example_with_x_is_valid_and_female_born_1949_12_31():
    assert id_check_char("11010519491231002") == "X"
    assert resident_id_problem("11010519491231002X") is None
    assert id_sex_code("11010519491231002X") == "2"
    assert id_birth_date("11010519491231002X") == date(1949, 12, 31)


def test_the_1880_example_has_a_valid_check_char_but_is_refused_for_its_birth_year():
    assert id_check_char("44052418800101001") == "4"
    assert resident_id_problem("440524188001010014") == "birth_date"


def test_a_wrong_check_char_is_reported_as_check_digit():
    assert resident_id_problem("420106199003071230") == "check_digit"


def test_a_lowercase_x_is_normalised_and_accepted():
    assert normalise_resident_id(" 11010519491231002x ") == "11010519491231002X"
    assert resident_id_problem("11010519491231002x") is None


def test_full_width_digits_typed_by_an_ime_are_normalised():
    assert normalise_resident_id("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    "first17",
    ["81000019900101123", "82000019900101123", "83000019900101123", "91115619900101123"],
    ids=["hong-kong-81", "macau-82", "taiwan-83", "foreign-permanent-resident-9"],
)
def test_residence_permit_and_foreigner_prefixes_are_accepted(first17):
    assert resident_id_problem(with_check_char(first17)) is None


def test_an_unknown_or_abolished_county_code_is_not_rejected():
    assert resident_id_problem(with_check_char("11019919900101123")) is None


@pytest.mark.parametrize("prefix", ["00", "10", "16", "24", "47", "55", "66", "71", "80", "84"])
def test_an_address_code_outside_the_province_list_is_refused(prefix):
    assert resident_id_problem(with_check_char(f"{prefix}010519900101123")) == "address_code"


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002",
        "110105194912310",
        "1101051949123100XX",
        "11010519491231002Y",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    ],
    ids=["17-chars", "first-generation-15", "19-chars", "bad-last-char", "arabic-indic-digits"],
)
def test_wrong_shapes_are_reported_as_pattern(value):
    assert resident_id_problem(value) == "pattern"


@pytest.mark.parametrize("birth", ["19900230", "18991231", "19901301"])
def test_impossible_or_too_early_birth_dates_are_refused(birth):
    assert resident_id_problem(with_check_char(f"110105{birth}123")) == "birth_date"


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = (date.today() + timedelta(days=1)).strftime("%Y%m%d")
    assert resident_id_problem(with_check_char(f"110105{tomorrow}123")) == "birth_date"


_PROVINCES = [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66)]


@given(
    prefix=st.sampled_from([f"{p:02d}" for p in _PROVINCES] + ["81", "82", "83", "91", "95"]),
    county=st.from_regex(r"\A[0-9]{4}\Z"),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date.today()),
    sequence=st.from_regex(r"\A[0-9]{3}\Z"),
)
def test_any_id_with_a_valid_province_date_and_computed_check_char_passes(prefix, county, birth, sequence):
    number = with_check_char(prefix + county + birth.strftime("%Y%m%d") + sequence)
    assert resident_id_problem(number) is None
    assert id_birth_date(number) == birth
    assert id_sex_code(number) == ("1" if int(sequence[-1]) % 2 else "2")


@given(first17=st.from_regex(r"\A[0-9]{17}\Z"), wrong=st.sampled_from("0123456789X"))
def test_any_other_check_char_is_a_check_digit_problem(first17, wrong):
    if wrong != id_check_char(first17):
        assert resident_id_problem(first17 + wrong) == "check_digit"


# --- §3.2 mobile --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["13812345678", "+86 138 1234 5678", "+8613812345678", "0086-138-1234-5678", "8613812345678"]
)
def test_mainland_mobiles_with_country_code_spaces_or_hyphens_normalise_to_11_digits(value):
    assert normalise_mobile(value) == "13812345678"
    assert is_mainland_mobile(value)


@pytest.mark.parametrize(
    "value", ["12812345678", "1381234567", "138123456789", "1440123456789", "01012345678"]
)
def test_numbers_outside_the_mobile_pattern_are_refused(value):
    assert not is_mainland_mobile(value)
    assert format_problem("cn-mobile", value).code == "pattern"


# --- §3.6 bank cards (Luhn) -------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["6219994201000000010", "6219994201000000028", "6219994201000000036"])
def test_the_sandbox_bin_card_numbers_pass_luhn(number):
    assert is_bank_card_number(number)
    assert bank_card_problem(number) is None


def test_card_problems_say_which_rule_failed():
    assert bank_card_problem("6219994201000000011") == "check_digit"
    assert bank_card_problem("621999420100") == "length"
    assert bank_card_problem("62199942010000000A0") == "pattern"
    assert bank_card_problem("6219 9942 0100 0000 010") is None


@given(body=st.from_regex(r"\A[0-9]{15,18}\Z"), data=st.data())
def test_a_luhn_body_plus_its_digit_passes_and_any_single_digit_change_fails(body, data):
    number = body + luhn_check_digit(body)
    assert is_bank_card_number(number)
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    assert not is_luhn_valid(number[:position] + digit + number[position + 1 :])


# --- §3.7 USCC ------------------------------------------------------------------------------------------


def test_the_published_uscc_example_is_valid():
    assert is_uscc("91350100M000100Y43")
    assert uscc_problem("91350100m000100y43") is None


def test_uscc_problems_distinguish_alphabet_from_check_char():
    assert uscc_problem("91350100M000100Y44") == "check_digit"
    assert uscc_problem("91350100I000100Y43") == "pattern"
    assert uscc_problem("91350100M000100Y4") == "pattern"


@given(body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_any_uscc_body_with_its_computed_check_char_passes(body):
    assert is_uscc(body + uscc_check_char(body))


# --- §3.3 Chinese names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["𠮷明", "刘䶮", "王堃", "张三", "买买提·吐尔逊", "阿依古丽·买买提·艾力"], ids=repr
)
def test_names_with_rare_characters_and_minority_middle_dots_are_valid(name):
    assert chinese_name_problem(name) is None


@pytest.mark.parametrize("dot", ["\u2022", "\u30fb", "\uff0e", ".", "\u2027", "\uff65"], ids=repr)
def test_look_alike_dots_become_the_middle_dot(dot):
    assert normalise_chinese_name(f"买买提{dot}吐尔逊") == "买买提·吐尔逊"
    assert chinese_name_problem(f"买买提{dot}吐尔逊") is None


def test_spaces_are_removed_and_the_name_is_nfc():
    assert normalise_chinese_name(" 张 三 ") == "张三"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("张\ue000", "private_use"),
        ("·买买提", "middle_dot"),
        ("买买提·", "middle_dot"),
        ("买买提··吐尔逊", "middle_dot"),
        ("张", "length"),
        ("张" * 51, "length"),
        ("Zhang San", "characters"),
        ("张3", "characters"),
    ],
    ids=repr,
)
def test_bad_names_give_a_specific_problem(name, problem):
    assert chinese_name_problem(name) == problem


# --- §3.4 address detail --------------------------------------------------------------------------------


@pytest.mark.parametrize("detail", ["武汉市武昌区中北路1号3栋401", "无锡市梁溪区人民中路1号", "中山路88号"])
def test_real_address_details_are_accepted(detail):
    assert address_detail_problem(detail) is None


@pytest.mark.parametrize(
    ("detail", "problem"),
    [
        ("不详", "placeholder"),
        ("无", "placeholder"),
        ("无无无无无", "placeholder"),
        ("详细地址不详", "placeholder"),
        ("同上", "placeholder"),
        ("---", "placeholder"),
        ("路1号", "length"),
        ("路" * 121, "length"),
        ("12-3-401", "all_digits"),
        ("1234567", "all_digits"),
        ("Room 1201, Tower A", "no_cjk"),
    ],
    ids=repr,
)
def test_placeholder_short_numeric_or_latin_only_details_are_refused(detail, problem):
    assert address_detail_problem(detail) == problem


# --- dates, email, attachments ------------------------------------------------------------------------


def test_dates_must_be_iso_calendar_dates():
    assert date_problem("2024-02-29") is None
    assert date_problem("2023-02-29") == "invalid_date"
    assert date_problem("2024/02/29") == "pattern"
    assert date_problem("2024-02-29\n") == "pattern"


def test_date_times_need_an_offset():
    assert date_time_problem("2025-06-01T09:30:00+08:00") is None
    assert date_time_problem("2025-06-01T01:30:00.123Z") is None
    assert date_time_problem("2025-06-01T09:30:00") == "pattern"
    assert date_time_problem("2025-06-01T24:00:00Z") == "invalid_date"


def test_id_valid_to_is_a_date_or_long_term():
    assert id_valid_to_problem("长期") is None
    assert id_valid_to_problem("2035-06-01") is None
    assert id_valid_to_problem("2035-13-01") == "invalid_date"
    assert id_valid_to_problem("long") == "pattern"


@pytest.mark.parametrize(
    ("value", "ok"), [("a.b@example.com", True), ("a..b@example.com", False), ("a@b", False)]
)
def test_email_is_rfc_5322_lite(value, ok):
    assert (email_problem(value) is None) is ok


def test_attachment_ids_are_att_and_32_lowercase_hex():
    assert attachment_id_problem("att_" + "0123456789abcdef" * 2) is None
    assert attachment_id_problem("att_" + "0123456789ABCDEF" * 2) == "pattern"
    assert attachment_id_problem("att_" + "0" * 32 + "\n") == "pattern"


def test_every_problem_code_of_every_format_has_a_chinese_message():
    samples = {
        "resident-id": [
            "1",
            "420106199003071230",
            "440524188001010014",
            with_check_char("16010519900101123"),
        ],
        "cn-mobile": ["1"],
        "cn-name": ["张", "张\ue000", "·张三", "Zhang"],
        "bank-card": ["x", "1", "6219994201000000011"],
        "uscc": ["x", "91350100M000100Y44"],
        "cn-address-detail": ["无", "路1号", "123456", "Room 12"],
        "attachment-id": ["x"],
        "id-valid-to": ["x", "2023-02-29"],
        "date": ["x", "2023-02-29"],
        "date-time": ["x", "2023-02-29T00:00:00Z"],
        "email": ["x"],
    }
    assert set(samples) == set(FORMAT_RULES)
    for name, values in samples.items():
        for value in values:
            problem = format_problem(name, value)
            assert problem is not None, (name, value)
            assert problem.message == FORMAT_RULES[name].messages[problem.code]
