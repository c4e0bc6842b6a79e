"""The incremental analysis against published worked examples with extended dominance, to the last digit."""

import pytest

from sim.analysis.decision.frontier import DOMINATED, EXTENDED, FRONTIER, STATUS_CODES, incremental_analysis, optimal

# The C. difficile treatment strategies of Rajasingham et al. (Clin Infect Dis 2020;70:754-62) as published in
# dampack's vignette "Basic Cost Effectiveness Analysis" (Alarid-Escudero, Enns, Knowlton and the DARTH team;
# vignettes/cdiff_icers.csv of DARTH-git/dampack): strategy, mean cost, mean QALYs, then the published
# incremental cost, incremental QALYs, ICER and status, as R's write.csv printed them (15 significant digits).
CDIFF = """\
s3,57336.0059896538,12.9399639202408,NA,NA,NA,ND
s27,57541.2526373815,13.0140640696275,205.246647727639,0.0741001493866911,2769.85470915263,ND
s33,57642.2587507842,13.0389116321918,101.006113402713,0.0248475625643216,4065.03105249231,ND
s31,57934.0743411241,13.0966257932217,291.815590339931,0.0577141610298533,5056.2216470406,ND
s43,58072.1137208494,13.11285766912,138.039379725262,0.0162318758983169,8504.2160616553,ND
s44,58665.7823044647,13.1283328397025,593.668583615326,0.0154751705825014,38362.6519947134,ND
s39,57814.6470919581,13.0462790163185,NA,NA,NA,ED
s4,57887.481549326,12.9970657153765,NA,NA,NA,D
s13,58018.6252420203,13.0650412387992,NA,NA,NA,D
s37,58081.7947984323,13.1029711156978,NA,NA,NA,D
s20,58634.2026441398,13.1100568867995,NA,NA,NA,D"""


def _printed(x):
    """A number as R's write.csv prints it: 15 significant digits, NA for none."""
    return "NA" if x is None else f"{x:.15g}"


# Each strategy's mean cost and QALYs over the 1,000 draws of dampack's `psa_cdiff` (data/psa_cdiff.rda, read
# with the `rdata` package; each mean as R's colMeans takes it, a running sum in 80-bit long double), in the
# package's strategy order: the full-precision
# inputs the published table was computed from (its printed 15 digits lose the last digits of a difference).
CDIFF_MEANS = [
    ("s3", 57336.00598965383, 12.9399639202408),
    ("s27", 57541.25263738147, 13.01406406962749),
    ("s33", 57642.25875078418, 13.038911632191812),
    ("s31", 57934.07434112411, 13.096625793221666),
    ("s43", 58072.113720849375, 13.112857669119983),
    ("s44", 58665.7823044647, 13.128332839702484),
    ("s13", 58018.62524202029, 13.065041238799186),
    ("s39", 57814.647091958104, 13.046279016318502),
    ("s20", 58634.20264413985, 13.110056886799452),
    ("s37", 58081.79479843234, 13.102971115697827),
    ("s4", 57887.48154932604, 12.997065715376468),
]


def test_cdiff_published_table_to_the_last_digit():
    rows = [line.split(",") for line in CDIFF.splitlines()]
    names, costs, effects = zip(*CDIFF_MEANS, strict=True)
    result = incremental_analysis(names, costs, effects)
    printed = [[o.name, _printed(o.cost), _printed(o.effect), _printed(o.incremental_cost),
                _printed(o.incremental_effect), _printed(o.icer), STATUS_CODES[o.status]] for o in result]
    assert printed == rows


def test_herc_example():
    """The VA Health Economics Resource Center's cost-effectiveness example (herc.research.va.gov, as in
    dampack's tests): C is extendedly dominated by B and D, A strongly dominated by B."""
    result = incremental_analysis(["E", "D", "C", "B", "A", "UC"], [55000, 35000, 25000, 10000, 12000, 5000],
                                  [5, 4, 3, 2, 1.5, 1])
    assert [(o.name, o.status, o.icer) for o in result] == [
        ("UC", FRONTIER, None), ("B", FRONTIER, 5000.0), ("D", FRONTIER, 12500.0), ("E", FRONTIER, 20000.0),
        ("C", EXTENDED, None), ("A", DOMINATED, None)]
    assert result[4].dominated_by == "B and D" and result[5].dominated_by == "B"
    assert [optimal(result, t).name for t in (4999, 5000, 12499, 12500, 19999, 20000, 1e9)] == [
        "UC", "B", "B", "D", "D", "E", "E"]


def test_extended_dominance_found_after_a_removal():
    """Removing one kink can make another: the loop runs until the ICERs rise."""
    result = incremental_analysis(["O", "A", "B", "C"], [0, 10, 15, 18], [0, 1, 2, 3])
    assert [(o.name, o.status) for o in result] == [("O", FRONTIER), ("C", FRONTIER), ("A", EXTENDED),
                                                     ("B", EXTENDED)]
    assert result[1].icer == 6.0


def test_ties_and_bad_input():
    result = incremental_analysis(["a", "b"], [1.0, 1.0], [2.0, 2.0])
    assert [(o.name, o.status) for o in result] == [("a", FRONTIER), ("b", DOMINATED)]
    with pytest.raises(ValueError, match="distinct"):
        incremental_analysis(["a", "a"], [1, 2], [1, 2])
    with pytest.raises(ValueError, match="one length"):
        incremental_analysis(["a"], [1, 2], [1, 2])
