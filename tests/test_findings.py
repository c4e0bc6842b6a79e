"""What the documentation claims is written from the results by rules tested here on cases built for them
(`sim.tools.findings`, `sim.tools.quoted`), not by asserting the committed numbers."""

import json

import pytest

from sim.tools.findings import overlap, position, supported
from sim.tools.quoted import QuoteError, formatted, lookup, render_quotes


def test_intervals_that_share_a_value_overlap_and_separate_ones_do_not():
    """The claim "the two are not told apart" rests on this: overlapping intervals say so, separate ones not."""
    a = {"ci_low": -0.084, "ci_high": 0.013}
    assert overlap(a, {"ci_low": -0.047, "ci_high": 0.003}) and overlap({"ci_low": -0.047, "ci_high": 0.003}, a)
    assert not overlap(a, {"ci_low": 0.02, "ci_high": 0.05}) and not overlap({"ci_low": -0.2, "ci_high": -0.1}, a)
    assert overlap(a, {"ci_low": 0.013, "ci_high": 0.02})  # touching counts


def test_a_published_value_is_placed_inside_below_or_above_an_interval():
    assert position(0.384, 0.326, 0.487) == "inside"
    assert position(0.30, 0.326, 0.487) == "below" and position(0.50, 0.326, 0.487) == "above"


@pytest.mark.parametrize("low, high, said", [(47.4, 69.1, "gain"), (-63.8, 180.3, "either"), (-9.0, -1.0, "loss")])
def test_a_gain_is_claimed_only_where_the_prediction_interval_lies_above_zero(low, high, said):
    assert supported(low, high) == said


@pytest.fixture
def results(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "s.json").write_text(json.dumps({"a": {"b": -0.0571}, "t": [{"o": "x", "v": 1.5},
                                                                                  {"o": "y", "v": 2.5}]}))
    (tmp_path / "r" / "t.csv").write_text("k,v,q2.5\nx,1234.5,1\ny,9,2\ncontact.hope_gain,3,0.108\n")
    return tmp_path


def test_a_quote_is_rewritten_from_its_source(results):
    text = "falls by <!-- = r/s.json#a.b|abs%.1f -->9.9<!-- . --> points, <!-- = r/t.csv#[k=x].v|,.0f -->1<!-- . -->"
    assert render_quotes(text, results) == text.replace("9.9", "5.7").replace("-->1<", "-->1,234<")
    assert lookup(results, "r/s.json", "t[o=y].v") == 2.5
    assert lookup(results, "r/t.csv", "[k=contact.hope_gain].q2.5") == "0.108"  # dots inside a key or a value
    assert formatted(-0.0571, "−%.2f") == "−5.71"


@pytest.mark.parametrize("path", ["a.c", "t[o=z].v", "t.v"])
def test_a_quote_that_points_at_nothing_stops_the_generator(results, path):
    with pytest.raises(QuoteError):
        render_quotes(f"<!-- = r/s.json#{path}|.1f -->1<!-- . -->", results)


def test_a_quote_of_a_missing_file_or_a_word_stops_the_generator(results):
    with pytest.raises(QuoteError, match="cannot read"):
        render_quotes("<!-- = r/none.json#a|.1f -->1<!-- . -->", results)
    with pytest.raises(QuoteError, match="not a number"):
        render_quotes("<!-- = r/t.csv#[k=x].k|.1f -->1<!-- . -->", results)


def test_a_verdict_is_quoted_as_text_and_a_number_is_not(results):
    (results / "r" / "v.json").write_text(json.dumps({"verdict": "inconclusive", "n": 3}))
    text = "the verdict is <!-- = r/v.json#verdict|s -->lowers readmissions<!-- . -->"
    assert "-->inconclusive<!--" in render_quotes(text, results)
    with pytest.raises(QuoteError, match="not text"):
        render_quotes("<!-- = r/v.json#n|s -->3<!-- . -->", results)


@pytest.mark.parametrize("text", [
    "<!-- = r/s.json#a.b|.1f -->1 and then no end",                  # not closed
    "<!-- = r/s.json#a.b|.1f  -->1<!-- . -->",                       # not well formed
    "<!-- = r/s.json#t[o].v|.1f -->1<!-- . -->",                     # a condition without '='
    "<!-- = r/s.json#a[o=x].b|.1f -->1<!-- . -->",                   # picking from a dict
])
def test_a_malformed_quote_stops_the_generator(results, text):
    with pytest.raises(QuoteError):
        render_quotes(text, results)


def test_a_quote_of_a_number_that_is_not_finite_stops_the_generator(results):
    (results / "r" / "n.json").write_text('{"x": NaN}')
    with pytest.raises(QuoteError, match="not a finite number"):
        render_quotes("<!-- = r/n.json#x|.1f -->1<!-- . -->", results)
