"""Figures of a ProcessResult: what is drawn is the result's numbers, labels come from the caller.

The numbers drawn are read back from the artists and compared with ``plot_data`` (itself checked
against statsmodels in test_process_plot_data.py) and with the coefficient tables.
"""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from analysis.figures_process import (
    conditional_effect_plot,
    process_diagram,
    simple_slopes_plot,
)
from analysis.process import process
from analysis.style import save_figure


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 240
    frame = pd.DataFrame({"x": rng.integers(0, 2, n).astype(float), "w": rng.integers(0, 2, n).astype(float),
                          "c": rng.normal(size=n), "age": rng.normal(40, 10, n),
                          "condition": rng.choice(["neutral", "private", "public"], n)})
    frame["m"] = 0.5 * frame["x"] * frame["w"] + 0.3 * frame["x"] + rng.normal(size=n)
    frame["y"] = 0.4 * frame["m"] + 0.6 * frame["x"] * frame["c"] + 0.3 * frame["x"] + rng.normal(size=n)
    return frame


def test_continuous_moderator_band_shading_and_johnson_neyman_lines(data):
    result = process(data, 1, x="x", w="c", y="y")
    plotted = result.plot_data(points=201)
    assert plotted.jn_points, "the data are built to have a region of significance"
    fig = conditional_effect_plot(result, labels={"c": "Social media use", "x": "Channel", "y": "Attitude"})
    ax = fig.axes[0]
    line = next(l for l in ax.get_lines() if len(l.get_xdata()) > 10)
    np.testing.assert_allclose(line.get_ydata(), plotted.effects["effect"], rtol=1e-12)
    dashed = [l for l in ax.get_lines() if l.get_linestyle() == "--"]
    np.testing.assert_allclose(sorted(l.get_xdata()[0] for l in dashed), plotted.jn_points, rtol=1e-12)
    # the shaded spans: where the interval excludes zero, bounded by the JN points or the range's ends
    spans = [p for p in ax.patches if p.get_alpha() == 0.22] or [c for c in ax.collections
                                                                  if not isinstance(c, PolyCollection) or c.get_alpha() == 0.22]
    assert spans
    significant = plotted.effects[(plotted.effects["ci_low"] > 0) | (plotted.effects["ci_high"] < 0)]
    assert len(significant) > 0
    assert ax.get_xlabel() == "Social media use"
    assert ax.get_title(loc="left") == "Effect of Channel on attitude"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("Johnson-Neyman") for t in legend) and any("95% CI excludes 0" in t for t in legend)


def test_dichotomous_moderator_shows_each_value_with_its_interval_in_dutch(data):
    result = process(data, 8, x="x", m="m", w="w", y="y", n_boot=200, seed=3)
    fig = conditional_effect_plot(result, moderator_levels={0: "neutraal", 1: "empathisch"}, lang="nl")
    assert len(fig.axes) == 2  # X -> M first, then X -> Y
    for ax, outcome in zip(fig.axes, ["m", "y"]):
        effects = result.plot_data(outcome=outcome).effects
        assert [t.get_text() for t in ax.get_xticklabels()] == ["neutraal", "empathisch"]
        assert ax.get_ylabel() == "Conditioneel effect" and ax.get_title(loc="left").startswith("Effect van x op")
        bars = ax.containers[0]
        np.testing.assert_allclose(np.asarray(bars.lines[0].get_ydata(), dtype=float), effects["effect"], rtol=1e-12)
        caps = sorted(np.concatenate([cap.get_ydata() for cap in bars.lines[1]]))
        np.testing.assert_allclose(caps, sorted([*effects["ci_low"], *effects["ci_high"]]), rtol=1e-12)


def test_multicategorical_x_draws_one_line_per_contrast(data):
    result = process(data, 1, x="condition", w="c", y="y", x_coding="indicator")
    fig = conditional_effect_plot(result, points=31)
    lines = [l for l in fig.axes[0].get_lines() if len(l.get_xdata()) > 10]
    assert len(lines) == 2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["private vs. neutral", "public vs. neutral"]


def test_simple_slopes_are_the_predicted_values(data):
    result = process(data, 1, x="x", w="c", y="y", covariates="age")
    fig = simple_slopes_plot(result, x_levels={0: "private", 1: "public"}, labels={"x": "Channel (public = 1)"})
    ax = fig.axes[0]
    predicted = result.plot_data().predicted
    drawn = np.concatenate([np.asarray(c.lines[0].get_ydata(), dtype=float) for c in ax.containers])
    np.testing.assert_allclose(drawn, predicted["yhat"], rtol=1e-12)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["private", "public"]
    assert ax.get_xlabel() == "Channel"  # the ticks name the levels
    assert len(fig.legends[0].get_texts()) == 3  # the 16th, 50th and 84th percentiles of c


def test_diagram_carries_every_coefficient_under_hayes_names(data):
    result = process(data, 8, x="x", m="m", w="w", y="y", covariates="age", n_boot=200, seed=3)
    labels = {"x": "Channel (public = 1)", "w": "Empathy", "m": "Persuasion knowledge", "y": "Attitude", "age": "Age"}
    fig = process_diagram(result, labels=labels)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"Channel\n(public = 1)", "Empathy", "Channel × Empathy", "Persuasion knowledge", "Attitude"} <= set(texts)
    m_table, y_table = result.coefficients["m"], result.coefficients["y"]
    expected = {"a1": m_table.loc["x", "coef"], "a2": m_table.loc["w", "coef"], "a3": m_table.loc["x:w", "coef"],
                "b": y_table.loc["m", "coef"], "c'1": y_table.loc["x", "coef"], "c'2": y_table.loc["w", "coef"],
                "c'3": y_table.loc["x:w", "coef"]}
    shown = dict(t.split(" = ") for t in texts if " = " in t and "\n" not in t and t.split(" = ")[0] in expected)
    assert set(shown) == set(expected)
    for name, value in expected.items():
        assert float(shown[name].replace("−", "-")) == pytest.approx(value, abs=0.005)
    assert any(t.startswith("Covariates: Age") for t in texts)
    assert any("Index of moderated mediation via Persuasion knowledge" in t for t in texts)
    # 5 boxes and 7 arrows
    assert len(fig.axes[0].patches) == 12


def test_diagram_of_model_14_uses_b_for_the_second_stage_and_stays_inside(data, tmp_path):
    result = process(data, 14, x="x", m="m", w="c", y="y", n_boot=200, seed=3)
    fig = process_diagram(result)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {t.split(" = ")[0] for t in texts if " = " in t and "\n" not in t} >= {"a", "c'", "b1", "b2", "b3"}
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for text in fig.axes[0].texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.x1 <= width + 1 and box.y0 >= -1 and box.y1 <= height + 1, text.get_text()
    assert save_figure(fig, tmp_path / "diagram", formats=("png",))[0].stat().st_size > 0


def test_figures_are_matplotlib_figures_and_bad_labels_are_refused(data):
    result = process(data, 1, x="x", w="c", y="y")
    assert isinstance(simple_slopes_plot(result), Figure)
    with pytest.raises(ValueError, match="labels"):
        conditional_effect_plot(result, labels=["c"])
    with pytest.raises(ValueError, match="lang"):
        process_diagram(result, lang="de")


def _diagram_geometry(fig):
    """Boxes (x0, y0, x1, y1), arrows (start, end) between box centres, and coefficient labels with
    their extents, all in the axes' data units (inches), read back from the drawn artists."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    ax = fig.axes[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    inverse = ax.transData.inverted()
    boxes = [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height())
             for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p._posA_posB for p in ax.patches if isinstance(p, FancyArrowPatch)]
    labels = []
    for text in ax.texts:
        if " = " in text.get_text():
            (x0, y0), (x1, y1) = inverse.transform(text.get_window_extent(renderer).get_points())
            labels.append((text.get_text(), (x0, y0, x1, y1)))
    return boxes, arrows, labels


def _hits(start, end, box, shrink=0.0) -> bool:
    """Whether the segment crosses the rectangle (sampled densely; independent of the layout's own test)."""
    x0, y0, x1, y1 = box[0] + shrink, box[1] + shrink, box[2] - shrink, box[3] - shrink
    points = np.linspace(0, 1, 2001)[:, None] * (np.asarray(end) - np.asarray(start)) + np.asarray(start)
    return bool(((points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0) & (points[:, 1] < y1)).any())


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_diagram_of_a_three_level_x_with_two_mediators_keeps_arrows_and_labels_apart(lang):
    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame({"tone": pd.Categorical(rng.choice(["defensive", "neutral", "vulnerable"], n),
                                                 categories=["defensive", "neutral", "vulnerable"])})
    shift = frame["tone"].map({"defensive": -0.6, "neutral": 0.0, "vulnerable": 0.7}).astype(float)
    frame["sincerity"] = shift + rng.normal(size=n)
    frame["pk"] = rng.normal(size=n)
    frame["attitude"] = 0.5 * frame["sincerity"] + rng.normal(size=n)
    result = process(frame, 4, x="tone", m=["sincerity", "pk"], y="attitude", x_coding="indicator",
                     n_boot=100, seed=1)
    long = {"tone": "Toon van het antwoord", "sincerity": "Waargenomen oprechtheid",
            "pk": "Waargenomen strategische bedoeling", "attitude": "Houding tegenover het bedrijf",
            "defensive": "Defensief (ontkent de fout)", "neutral": "Neutraal (zakelijk)",
            "vulnerable": "Kwetsbaar (geeft de fout toe, excuses)"}
    fig = process_diagram(result, labels=long if lang == "nl" else None, lang=lang)
    boxes, arrows, labels = _diagram_geometry(fig)
    assert len(boxes) == 5 and len(arrows) == 8 and len(labels) == 8
    centre = lambda box: ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)  # noqa: E731
    for start, end in arrows:
        ends = [box for box in boxes if np.allclose(centre(box), start) or np.allclose(centre(box), end)]
        for box in boxes:
            if box not in ends:
                assert not _hits(start, end, box), (start, end, box)
    for text, extent in labels:
        for start, end in arrows:
            assert not _hits(start, end, extent, shrink=0.01), (text, start, end)
    texts = [t.get_text() for t in fig.axes[0].texts]
    reference = "defensive" if lang == "en" else long["defensive"]
    assert any(reference in t and ("Reference" in t or "Referentie" in t) for t in texts)
    assert sum("vs." in t for t in texts) == 2  # each code's box names the reference it is compared with
