from hypothesis import given
from hypothesis import strategies as st

from matching.codes import (
    agreement_depth,
    best_agreement,
    code_prefix,
    codes_in_description,
    normalize_code,
)


def test_normalize_drops_check_digits_and_suffixes():
    assert normalize_code("45210000-2") == "45210000"
    assert normalize_code(" 30000000") == "30000000"
    assert normalize_code("34331300/1") == "34331300"
    assert normalize_code("n6115b") == "N6115B"
    assert normalize_code("") is None
    assert normalize_code(None) is None


def test_prefix_levels():
    assert code_prefix("45210000-2", "division") == "45"
    assert code_prefix("45210000-2", "group") == "452"
    assert code_prefix("45210000-2", "class") == "4521"
    assert code_prefix("45210000-2", "exact") == "45210000"
    assert code_prefix("F02", "class") is None


def test_agreement_depth_across_schemes():
    # CPV
    assert agreement_depth("45210000-2", "45210000-9") == 4
    assert agreement_depth("45210000", "45212000") == 3
    assert agreement_depth("45200000", "45210000") == 2
    assert agreement_depth("45000000", "45200000") == 1
    assert agreement_depth("45000000", "33000000") == 0
    # UNSPSC
    assert agreement_depth("43211503", "43211508") == 3
    assert agreement_depth("43211503", "43221503") == 2
    # GSIN
    assert agreement_depth("N6115B", "N6115A") == 3
    assert agreement_depth("N6115B", "N6145") == 2
    assert agreement_depth("N6115B", "N6910") == 1
    assert agreement_depth("N6115B", "N7110") == 0
    assert agreement_depth("N6115B", None) == 0


def test_best_agreement_and_codes_in_description():
    assert best_agreement(["N6115B", "F029"], ["F028", "N9999"]) == 2
    description = "5131BI: Asphalt and Joint Sealing Services, 5131C: Highways, Roads"
    assert codes_in_description(description) == ["5131BI", "5131C"]
    assert codes_in_description("N6115B: Generator Set, Diesel Engine") == ["N6115B"]
    assert codes_in_description("Generator Set") == []


codes = st.text(alphabet="0123456789ABN", min_size=2, max_size=8)


@given(codes, codes)
def test_agreement_is_symmetric_and_bounded(a, b):
    depth = agreement_depth(a, b)
    assert depth == agreement_depth(b, a)
    assert 0 <= depth <= 4
    assert agreement_depth(a, a) == 4
