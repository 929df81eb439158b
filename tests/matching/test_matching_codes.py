from hypothesis import given
from hypothesis import strategies as st

from matching.codes import (
    agreement_depth,
    best_agreement,
    code_prefix,
    code_prefixes,
    codes_in_description,
    level_lengths,
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


def test_level_lengths_follow_the_code_shape():
    # CPV (check digit): division 2, group 3, class 4
    assert level_lengths("45212000-9") == (2, 3, 4)
    assert code_prefixes("45212000-9") == ("45", "452", "4521", "45212000")
    # UNSPSC (8 digits, no check digit; Paraguay's catalogue extension): 2, 4, 6
    assert level_lengths("43211503") == (2, 4, 6)
    assert level_lengths("43211508-001") == (2, 4, 6)
    assert code_prefixes("43211503") == ("43", "4321", "432115", "43211503")
    # GSIN goods: N + FSC group + FSC class
    assert level_lengths("N6115B") == (2, 3, 5)
    assert code_prefixes("N6115B") == ("N6", "N61", "N6115", "N6115B")
    assert code_prefixes("n1810203") == ("N1", "N18", "N1810", "N1810203")
    # GSIN services and construction, unknown schemes: 2, 3, 4
    assert code_prefixes("R019BF") == ("R0", "R01", "R019", "R019BF")
    assert code_prefixes("5131BI") == ("51", "513", "5131", "5131BI")
    assert code_prefixes("F02") == ("F0", "F02", None, "F02")
    assert level_lengths(None) == (2, 3, 4)


def test_agreement_depth_across_schemes():
    # CPV
    assert agreement_depth("45210000-2", "45210000-9") == 4
    assert agreement_depth("45210000-2", "45212000-1") == 3
    assert agreement_depth("45200000-7", "45210000-2") == 2
    assert agreement_depth("45000000-7", "45200000-7") == 1
    assert agreement_depth("45000000-7", "33000000-2") == 0
    # UNSPSC: segment, family, class, commodity
    assert agreement_depth("43211503", "43211508") == 3
    assert agreement_depth("43211503", "43212103") == 2
    assert agreement_depth("43211503", "43221503") == 1
    assert agreement_depth("43211503", "44211503") == 0
    # GSIN goods (FSC group, FSC class) and services
    assert agreement_depth("N6115B", "N6115A") == 3
    assert agreement_depth("N6115B", "N6116") == 2
    assert agreement_depth("N6115B", "N6145") == 2
    assert agreement_depth("R019BF", "R019A") == 3
    assert agreement_depth("R019BF", "R012") == 2
    assert agreement_depth("N6115B", "N6910") == 1
    assert agreement_depth("N6115B", "N7110") == 0
    assert agreement_depth("N6115B", None) == 0


def test_best_agreement_and_codes_in_description():
    assert best_agreement(["N6115B", "F029"], ["F028", "N9999"]) == 2
    assert best_agreement(["5131BI", "5131C"], ["N7110", "5131C"]) == 4
    assert best_agreement([], ["N7110"]) == 0
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


def test_index_gathers_the_best_of_several_codes():
    import numpy as np

    from matching.index import ListingIndex
    from matching.text import TextEncoder

    codes = [["N6115B", "5131C"], ["5131BI"], [], ["N7110", "N6115A", "R019"], "R012"]
    index = ListingIndex.build(["a b", "c d", "e f", "g h", "i j"], codes, TextEncoder())
    rng = np.random.RandomState(0)
    for level in range(4):
        dist = rng.rand(len(index.prefixes[level]) + 1)
        full = index.gather(dist, level)
        for positions in ([0, 3], [4, 1, 3], [2], [3, 0, 1, 2, 4]):
            assert np.allclose(index.gather(dist, level, positions), full[positions])
    group = index.lookups[1]
    dist = np.zeros(len(group) + 1)
    dist[group["513"]] = 0.7
    assert index.gather(dist, 1).tolist() == [0.7, 0.7, 0.0, 0.0, 0.0]
