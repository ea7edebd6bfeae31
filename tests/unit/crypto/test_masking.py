"""Masking per domain.md §8.3: the table's examples exactly, odd inputs fully masked, never a crash."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import (
    mask_account_number,
    mask_address,
    mask_card_number,
    mask_email,
    mask_id_number,
    mask_mobile,
    mask_name,
)

ALL_MASKS = [mask_name, mask_id_number, mask_mobile, mask_card_number, mask_account_number]
ALL_MASKS += [mask_address, mask_email]


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧阳**"),  # compound surname kept whole, as the table shows
        ("买买提江明·阿不", "买****·**"),
        ("买买提江明•阿不", "买****·**"),  # look-alike dot normalised
        ("司马光", "司马*"),
        ("欧阳", "欧*"),  # two characters: surname 欧, given name 阳
        ("𠮷野家", "𠮷**"),
    ],
)
def test_names_keep_the_surname_and_the_dots(name, masked):
    assert mask_name(name) == masked


def test_id_numbers_show_first_4_and_last_4_to_staff_and_first_and_last_to_customers():
    assert mask_id_number("420106199001011238") == "4201**********1238"
    assert mask_id_number("420106199001011238", customer_facing=True) == "4****************8"
    assert mask_id_number(" 42010619900101123x") == "4201**********123X"


def test_mobiles_show_first_3_and_last_4():
    assert mask_mobile("13912341234") == "139****1234"
    assert mask_mobile("+86 139-1234-1234") == "139****1234"


def test_card_numbers_show_first_6_and_last_4_to_staff_and_the_tail_to_customers():
    assert mask_card_number("6219990000000000010") == "621999*********0010"
    assert mask_card_number("6219 9900 0000 0000 010", customer_facing=True) == "尾号0010"


def test_account_numbers_show_the_last_4_only():
    assert mask_account_number("12345678900010") == "**********0010"
    assert mask_account_number("12345678900010", customer_facing=True) == "尾号0010"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("湖北省武汉市武昌区中北路1号", "湖北省武汉市武昌区****"),
        ("北京市朝阳区建国路88号院3号楼", "北京市朝阳区****"),
        ("新疆维吾尔自治区乌鲁木齐市天山区解放南路", "新疆维吾尔自治区乌鲁木齐市天山区****"),
        ("湖北省恩施土家族苗族自治州恩施市舞阳大街", "湖北省恩施土家族苗族自治州恩施市****"),
        ("云南省临沧市双江拉祜族佤族布朗族傣族自治县勐镇", "云南省临沧市双江拉祜族佤族布朗族傣族自治县****"),
        ("黑龙江省大兴安岭地区漠河市北极村", "黑龙江省大兴安岭地区漠河市****"),
        ("湖北省仙桃市干河街道马口社区3号", "湖北省仙桃市****"),  # a 社区 is not a district
        ("湖北省武汉市东湖风景区内", "湖北省武汉市****"),
        ("上海市浦东新区张江路", "上海市浦东新区****"),
        ("湖北省 武汉市 武昌区 中北路", "湖北省武汉市武昌区****"),
        ("中北路1号", "****"),  # no recognisable region: nothing kept
    ],
)
def test_addresses_keep_the_region_prefix_and_mask_the_rest(address, masked):
    assert mask_address(address) == masked


def test_emails_keep_the_first_character_and_the_domain():
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("z@example.com") == "z***@example.com"
    assert mask_email("no-at-sign") == "***"


@pytest.mark.parametrize("mask", ALL_MASKS)
def test_none_and_empty_mask_to_empty(mask):
    assert mask(None) == "" and mask("") == ""


def test_short_or_odd_values_are_masked_completely():
    assert mask_name("李") == "*"
    assert mask_id_number("E1234567") == "********"
    assert mask_mobile("12345") == "*****"
    assert mask_card_number("621999") == "******"
    assert mask_card_number("621999", customer_facing=True) == "******"
    assert mask_account_number("0010") == "****"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_no_mask_raises_on_any_text(text):
    for mask in ALL_MASKS:
        assert isinstance(mask(text), str)


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"\A[1-6]\d{16}[\dX]\Z"))
def test_a_staff_masked_id_never_shows_the_birth_date(id_number):
    masked = mask_id_number(id_number)
    assert masked[4:14] == "*" * 10 and masked[:4] + masked[-4:] == id_number[:4] + id_number[-4:]
