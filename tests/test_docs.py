"""The source tour (docs/TOUR.md) stays true: every name it cites is defined in the
file it names, and every ``>>>`` experiment in it runs and prints what it says."""
import doctest
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOUR = ROOT / "docs" / "TOUR.md"


def cited_names():
    """(path, name) for each "`path` → `Name`, `Other`" in the tour; text in parentheses is prose."""
    text = " ".join(TOUR.read_text(encoding="utf-8").split())
    pairs = []
    for path, names in re.findall(r"`([\w./]+\.py)` → (.*?)(?:;|\. |\.$|Notes:)", text):
        names = re.sub(r"\([^()]*\)", "", names)
        pairs += [(path, name) for name in re.findall(r"`(\w+)`", names)]
    return pairs


def test_the_tour_cites_names():
    assert len(cited_names()) > 50


@pytest.mark.parametrize("path, name", cited_names())
def test_each_cited_name_is_defined_in_its_file(path, name):
    source = (ROOT / path).read_text(encoding="utf-8")
    assert re.search(rf"^\s*(def|class) {name}\b", source, re.MULTILINE), f"{path} defines no {name}"


def test_every_file_the_tour_names_exists():
    text = TOUR.read_text(encoding="utf-8")
    paths = set(re.findall(r"`([\w.]+/[\w./]+\.(?:py|md))`", text))    # with a folder: from the root
    missing = [p for p in paths if not (ROOT / p).exists()]
    links = re.findall(r"\]\(([\w./]+\.md)\)", text)
    missing += [link for link in links if not (TOUR.parent / link).exists()]
    assert not missing


def test_the_tour_experiments_run_as_written():
    import autograd
    before = autograd.get_default_device()
    autograd.set_default_device("cpu")  # the tour's printed values are the CPU's, on any backend
    try:
        failures, tried = doctest.testfile(str(TOUR), module_relative=False, verbose=False,
                                           optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    finally:
        autograd.set_default_device(before)
    assert tried > 40 and failures == 0
