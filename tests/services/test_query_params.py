"""The list pages' parameter helpers: whatever a URL or API call sends, a safe value comes back."""

from fluxkit.services import query_params as qp


def test_choice_takes_only_an_allowed_string_and_falls_back_to_the_default():
    allowed = ("pending", "completed")
    assert qp.choice({"status": "pending"}, "status", allowed) == "pending"
    assert qp.choice({"status": "Pending"}, "status", allowed) == ""  # exact match only
    assert qp.choice({"status": "nope"}, "status", allowed) == ""
    assert qp.choice({"status": ["pending"]}, "status", allowed) == ""  # not a string
    assert qp.choice({}, "sort", ("created", "title"), "created") == "created"
    assert qp.choice({"sort": "x"}, "sort", ("created", "title"), "created") == "created"


def test_integer_parses_whole_numbers_and_falls_back_otherwise():
    assert qp.integer({"page": "3"}, "page", 1) == 3
    assert qp.integer({"page": 7}, "page", 1) == 7
    assert qp.integer({"page": "-2"}, "page", 1) == -2  # the range is for the callers
    for bad in ("x", "2.5", "", None, 2.5, True, "9" * 5000):
        assert qp.integer({"page": bad}, "page", 1) == 1, bad
    assert qp.integer({}, "page", 4) == 4


def test_page_number_is_at_least_one_and_at_most_the_maximum():
    assert qp.page_number({"page": "5"}) == 5
    assert qp.page_number({"page": "0"}) == 1
    assert qp.page_number({"page": "-9"}) == 1
    assert qp.page_number({"page": "abc"}) == 1
    assert qp.page_number({}) == 1
    assert qp.page_number({"page": str(10**9)}) == 10**9  # no maximum given
    assert qp.page_number({"page": str(10**9)}, 1_000_000) == 1_000_000


def test_page_size_must_be_one_of_the_choices():
    sizes = (10, 25, 50, 100)
    assert qp.page_size({"page_size": "50"}, sizes, 10) == 50
    assert qp.page_size({"page_size": 100}, sizes, 25) == 100
    assert qp.page_size({"page_size": "7"}, sizes, 10) == 10
    assert qp.page_size({"page_size": "lots"}, sizes, 25) == 25
    assert qp.page_size({}, sizes, 25) == 25


def test_search_text_is_stripped_capped_and_rid_of_nul():
    assert qp.search_text("  milk  ", 100) == "milk"
    assert qp.search_text("a" * 150, 100) == "a" * 100
    assert qp.search_text(" a\x00b ", 100) == "ab"
    assert qp.search_text(" a\x00b ", 100, keep_nul=True) == "a\x00b"
    for not_text in (None, 5, ["milk"], b"milk"):
        assert qp.search_text(not_text, 100) == ""


def test_descending_unless_asc_is_asked_for():
    assert qp.descending({}) is True
    assert qp.descending({"order": "desc"}) is True
    assert qp.descending({"order": "ASC"}) is True  # exact "asc" only, as the lists always did
    assert qp.descending({"order": "asc"}) is False
