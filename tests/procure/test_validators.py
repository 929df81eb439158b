"""사업자등록번호 check digits, e-mail and telephone shape."""

import pytest

from procure.validators import (
    business_number_with_check_digit,
    format_business_number,
    is_valid_business_number,
    is_valid_email,
    is_valid_phone,
)


@pytest.mark.parametrize("number", ["124-81-00998", "1248100998", "220-81-62517"])
def test_valid_business_numbers(number):
    assert is_valid_business_number(number)


@pytest.mark.parametrize("number", ["124-81-00999", "12481009", "abcdefghij", "", "124 81 0099 8x"])
def test_invalid_business_numbers(number):
    assert not is_valid_business_number(number)


def test_every_nine_digits_have_exactly_one_check_digit():
    for prefix in ("123456789", "000000000", "999999999", "214815000"):
        full = business_number_with_check_digit(prefix)
        valid = [d for d in "0123456789" if is_valid_business_number(prefix + d)]
        assert valid == [full[-1]]


def test_format_business_number():
    assert format_business_number("1248100998") == "124-81-00998"


@pytest.mark.parametrize(
    ("value", "ok"), [("a@b.kr", True), ("a@b", False), ("a b@c.kr", False), ("", False)]
)
def test_email_shape(value, ok):
    assert is_valid_email(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("02-2100-1234", True),
        ("+82 2 2100 1234", True),
        ("1588-1234", True),
        ("(02) 2100-1234 내선 12", True),
        ("010.1234.5678", True),
        ("02-2100-1234 ext. 5", True),
        ("abc", False),
        ("12", False),
        ("02-2100-abcd", False),
        ("1234567890123456", False),  # more digits than any number has
        ("", False),
    ],
)
def test_phone_shape(value, ok):
    assert is_valid_phone(value) is ok


@pytest.mark.parametrize("raw", ["١٢٣", "３", "१२", "1²"])
def test_the_checker_reads_only_ascii_digits_as_numbers(app, raw):
    """int() reads Arabic-Indic, full-width and Devanagari digits: "١٢٣" would be 123."""
    from procure.checks import Checker

    with app.test_request_context():
        check = Checker()
        assert check.integer("price", raw, minimum=0, maximum=10**9) is None
        assert [e.field for e in check.errors] == ["price"]


def test_a_line_break_counts_as_one_character_as_in_the_browser():
    """A textarea's maxlength counts a line break once; the browser sends it as CRLF."""
    from procure.checks import Checker

    check = Checker()
    text = "\r\n".join(["가" * 99] * 20)  # 1,999 characters typed; 2,018 sent
    assert check.text("note", text, 2000) == "\n".join(["가" * 99] * 20)
    assert not check.errors


@pytest.mark.parametrize("raw", ["\x1b[31m빨강", "종\x07", "a\x0bb", "\x7f", "다\x85음"])
def test_control_characters_are_refused_with_a_message(app, raw):
    """Escape codes and bells never come from typing; they break the Atom feed and terminals."""
    from procure.checks import Checker

    with app.test_request_context(headers={"Accept-Language": "en"}):
        check = Checker()
        assert check.text("title", raw, 200, required=True) == ""
        assert [e.message for e in check.errors] == [
            "Must not contain control characters (such as escape codes); retype the text."
        ]
        kept = Checker()
        assert kept.text("problem", "줄\t바꿈\r\n다음 줄\r끝", 200) == "줄\t바꿈\n다음 줄\n끝"
        assert not kept.errors


@pytest.mark.parametrize("raw", ["\u200b", " \u202e\u202e ", "\ufeff\u2060", "\u3164"])
def test_a_text_of_invisible_characters_only_is_empty(app, raw):
    from procure.checks import Checker

    with app.test_request_context(headers={"Accept-Language": "en"}):
        check = Checker()
        assert check.text("title", raw, 200, required=True) == ""
        assert [e.message for e in check.errors] == ["This field is required."]
        assert Checker().text("title", "\u200b드론", 200) == "\u200b드론"  # text around it stays
