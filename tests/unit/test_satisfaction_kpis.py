"""Satisfaction figures on ratings worked out by hand (docs/kpis.md): the mean, the share rated 4 or 5,
per person who completed the work, most ratings first."""

from services.reporting.satisfaction import Rated, figures, person_rows, report, rows


def test_figures() -> None:
    found = figures([5, 4, 2, 5])
    assert (found.count, found.average, found.good.part, found.good.whole) == (4, 4.0, 3, 4)
    assert found.good.value == 0.75
    empty = figures([])
    assert (empty.count, empty.average, empty.good.value) == (0, None, None)


def test_per_person_and_the_rows() -> None:
    found = report([Rated(5, "U0TECH1"), Rated(3, "U0TECH2"), Rated(4, "U0TECH1"), Rated(1, None), Rated(2, "U0TECH2")])
    assert found.team.count == 5 and found.team.average == 3.0
    assert [(who, s.count, s.average) for who, s in found.by_person] == [
        ("U0TECH1", 2, 4.5),
        ("U0TECH2", 2, 2.5),
        ("nobody", 1, 1.0),
    ]
    assert rows(found) == [("Satisfaction (requesters' ratings)", "3.0 of 5 (n=5), 40% rated 4 or 5")]
    assert person_rows(found)[0] == ("Satisfaction, U0TECH1", "4.5 of 5 (n=2), 100% rated 4 or 5")
    assert rows(report([])) == [("Satisfaction (requesters' ratings)", "—")]
