"""Tests of analysis.figures and analysis.style: real figures, saved in every format."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgb
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from analysis import figures
from analysis.apa import format_number
from analysis.crosstab import motives_by_condition
from analysis.descriptives import describe
from analysis.style import HATCHES, MARKERS, PALETTE, figure_size, group_style, house_style, save_figure

MOTIVES = ["code_reputation_protection", "code_image_showcase", "code_service_recovery"]
MAGIC = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<?xml"}


@pytest.fixture(autouse=True)
def no_show_and_no_leaks(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a figure function called plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before == []


@pytest.fixture
def canonical():
    """A small canonical-shaped data set (seeded): 60 participants, two conditions."""
    rng = np.random.default_rng(2021)
    n = 60
    condition = np.repeat(["public", "private"], n // 2)
    public = condition == "public"
    data = pd.DataFrame({"participant_id": [f"p{i:03d}" for i in range(n)], "condition": condition,
                         "channel": condition, "lang": "en", "status": "complete"})
    for i in range(1, 6):
        data[f"att_{i}"] = np.clip(np.round(rng.normal(np.where(public, 5, 4.5), 1.3)), 1, 7).astype(int)
    data["attitude"] = data[[f"att_{i}" for i in range(1, 6)]].mean(axis=1)
    data["pk_scale"] = 0.4 * public + rng.normal(4, 1, n)
    for name, (p_public, p_private) in zip(MOTIVES, [(0.5, 0.8), (0.4, 0.1), (0.2, 0.2)]):
        data[name] = (rng.random(n) < np.where(public, p_public, p_private)).astype(int)
    return data


def _check_saved(fig, tmp_path, stem="figure"):
    paths = save_figure(fig, tmp_path / "out" / stem, dpi=80)
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    for path in paths:
        assert path.read_bytes().startswith(MAGIC[path.suffix[1:]])


# --- attitude by condition ----------------------------------------------------


def test_attitude_by_condition(canonical, tmp_path):
    fig = figures.attitude_by_condition(canonical, ylim=(1, 7), labels={"public": "Public reply"})
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2  # one cloud of points per condition
    assert sum(len(c.get_offsets()) for c in scatters) == len(canonical)
    # groups in describe's order (sorted): private, public
    assert [t.get_text() for t in ax.get_xticklabels()] == ["private", "Public reply"]
    table = describe(canonical, "attitude", "condition")
    mean_markers = [line for line in ax.lines if line.get_marker() in MARKERS]  # not the CI caps
    assert [float(line.get_ydata()[0]) for line in mean_markers] == pytest.approx(table["mean"].tolist())
    # greyscale: the groups differ in marker shape, not only in colour
    assert mean_markers[0].get_marker() != mean_markers[1].get_marker()
    assert ax.get_ylim() == (1, 7)
    _check_saved(fig, tmp_path)


def test_attitude_jitter_is_seeded(canonical):
    def offsets(seed):
        fig = figures.attitude_by_condition(canonical, seed=seed)
        return np.vstack([c.get_offsets() for c in fig.axes[0].collections if isinstance(c, PathCollection)])

    assert np.array_equal(offsets(1), offsets(1))
    assert not np.array_equal(offsets(1), offsets(2))
    assert np.array_equal(offsets(1)[:, 1], offsets(2)[:, 1])  # only x is jittered


def test_attitude_bad_column(canonical):
    with pytest.raises(ValueError, match="column 'atitude' is not in the data"):
        figures.attitude_by_condition(canonical, dv="atitude")


# --- motives by condition -------------------------------------------------------


def test_motives_by_condition_plot(canonical, tmp_path):
    fig = figures.motives_by_condition_plot(canonical, MOTIVES)
    (ax,) = fig.axes
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(containers) == 2  # one set of bars per condition
    table = motives_by_condition(canonical, MOTIVES)
    for container, level in zip(containers, ["private", "public"]):
        assert [bar.get_height() for bar in container] == pytest.approx(table[f"pct_{level}"].tolist())
    hatches = {container.patches[0].get_hatch() or "" for container in containers}
    assert len(hatches) == 2  # readable in greyscale
    assert [t.get_text() for t in ax.get_xticklabels()] == ["reputation protection", "image showcase",
                                                            "service recovery"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["private", "public"]
    _check_saved(fig, tmp_path)


# --- Likert --------------------------------------------------------------------


def test_likert_diverging(canonical, tmp_path):
    items = ["att_1", "att_2", "att_3"]
    fig = figures.likert_diverging(canonical, items, labels={"att_1": "The provider is good"}, points=7)
    ax = fig.axes[0]
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(containers) == 7  # one per answer category
    widths = np.array([[bar.get_width() for bar in c] for c in containers])  # (category, item)
    assert widths.sum(axis=0) == pytest.approx([100.0] * 3)
    first = canonical["att_1"].value_counts(normalize=True).reindex(range(1, 8), fill_value=0) * 100
    assert widths[:, 0] == pytest.approx(first.to_numpy())
    # the bar starts at minus (categories 1-3 plus half of the neutral 4)
    start = containers[0].patches[0].get_x()
    assert start == pytest.approx(-(first.loc[1:3].sum() + first.loc[4] / 2))
    assert "The provider is good" in [t.get_text() for t in ax.get_yticklabels()]
    hatches = [c.patches[0].get_hatch() or "" for c in containers]
    assert hatches[3] == "" and all(hatches[i] for i in (0, 1, 2, 4, 5, 6))
    assert len(set(hatches[:3])) == 3 and set(hatches[:3]).isdisjoint(hatches[4:])
    _check_saved(fig, tmp_path)


def test_likert_by_condition_and_even_scale(canonical):
    data = canonical.assign(item=np.resize([1, 2, 3, 4, 4], len(canonical)))
    fig = figures.likert_diverging(data, "item", by="condition", points=4)
    ax = fig.axes[0]
    assert {t.get_text() for t in ax.get_yticklabels()} == {"item (private)", "item (public)"}
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(containers) == 4
    # even scale: no neutral category to split, answers 1 and 2 lie left of zero
    for bar, level in zip(containers[0], ["private", "public"]):
        answers = data.loc[data["condition"] == level, "item"]
        assert bar.get_x() == pytest.approx(-100 * answers.isin([1, 2]).mean())


def test_likert_rejects_out_of_range(canonical):
    with pytest.raises(ValueError, match=r"item 'att_1' must hold whole numbers 1..5; found 6"):
        figures.likert_diverging(canonical.assign(att_1=6), ["att_1"], points=5)
    with pytest.raises(ValueError, match="`category_labels` needs 7 labels"):
        figures.likert_diverging(canonical, ["att_1"], points=7, category_labels=["no", "yes"])


# --- mediation ------------------------------------------------------------------


@pytest.fixture(scope="module")
def mediation_results():
    from analysis.mediation import mediation

    rng = np.random.default_rng(7)
    n = 120
    condition = np.repeat(["public", "private"], n // 2)
    public = (condition == "public").astype(float)
    pk = 0.5 * public + rng.normal(size=n)
    realism = -0.3 * public + rng.normal(size=n)
    data = pd.DataFrame({"condition": condition, "pk_scale": pk, "realism": realism,
                         "attitude": 0.3 * public + 0.4 * pk + 0.2 * realism + rng.normal(size=n)})
    single = mediation(data, x="condition", m="pk_scale", y="attitude", n_boot=400, seed=1)
    parallel = mediation(data, x="condition", m=["pk_scale", "realism"], y="attitude", n_boot=400, seed=1)
    return single, parallel


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_mediation_diagram_single(mediation_results, tmp_path):
    single, _ = mediation_results
    fig = figures.mediation_diagram(single)
    ax = fig.axes[0]
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 3  # a, b, c'
    texts = _texts(fig)
    for box in ("condition\n(public = 1)", "pk_scale", "attitude"):
        assert box in texts
    for name, row in [("a", "a"), ("b", "b"), ("c'", "c_prime")]:
        coef = single.paths.loc[row, "coef"]
        assert any(t.startswith(f"{name} = {format_number(coef, style='unicode')}\n[") for t in texts), name
    indirect = single.indirect.loc["pk_scale"]
    assert any(f"indirect effect = {format_number(indirect['effect'], style='unicode')}, 95% CI" in t for t in texts)
    _check_saved(fig, tmp_path)


def test_mediation_diagram_parallel(mediation_results, tmp_path):
    _, parallel = mediation_results
    fig = figures.mediation_diagram(parallel, x_label="Public reply")
    ax = fig.axes[0]
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 5  # a1, a2, b1, b2, c'
    texts = _texts(fig)
    assert "Public reply" in texts
    for index, mediator in enumerate(["pk_scale", "realism"], start=1):
        coef = parallel.paths.loc[f"b[{mediator}]", "coef"]
        assert any(t.startswith(f"b{index} = {format_number(coef, style='unicode')}") for t in texts)
    summary = next(t for t in texts if "total indirect effect" in t)
    assert "indirect effect via realism" in summary
    _check_saved(fig, tmp_path)


def test_bootstrap_distribution(mediation_results, tmp_path):
    single, parallel = mediation_results
    fig = figures.bootstrap_distribution(single, bins=30)
    (ax,) = fig.axes
    assert len(ax.patches) == 30
    assert sum(p.get_height() for p in ax.patches) == np.isfinite(single.boot_indirect).sum()
    positions = sorted(float(line.get_xdata()[0]) for line in ax.lines)
    row = single.indirect.loc["pk_scale"]
    assert positions == pytest.approx(sorted([0.0, row["ci_low"], row["ci_high"], row["effect"]]))
    assert len({line.get_linestyle() for line in ax.lines}) == 3  # zero, CI, estimate: greyscale-safe
    _check_saved(fig, tmp_path)
    assert len(figures.bootstrap_distribution(parallel).axes) == 2


def test_mediation_figures_reject_other_objects():
    with pytest.raises(ValueError, match="expected a MediationResult"):
        figures.mediation_diagram(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="expected a MediationResult"):
        figures.bootstrap_distribution({"indirect": 1})


# --- style ------------------------------------------------------------------------


def test_house_style_leaves_global_settings_alone():
    before = dict(mpl.rcParams)
    with house_style():
        assert mpl.rcParams["svg.fonttype"] == "none"
    assert dict(mpl.rcParams) == before


def _luminance(colour):
    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_group_styles_survive_greyscale():
    styles = [group_style(i) for i in range(8)]
    assert len({s["hatch"] for s in styles}) == 8 == len(HATCHES)
    assert len({s["marker"] for s in styles}) == 8 == len(MARKERS)
    # the first two groups (e.g. public, private) also differ in lightness
    assert abs(_luminance(PALETTE[0]) - _luminance(PALETTE[1])) > 0.2


def test_figure_sizes_and_bad_values():
    assert figure_size("single")[0] == 3.5
    assert figure_size("double", aspect=0.5) == (7.2, 3.6)
    with pytest.raises(ValueError, match="`width` must be 'single', 'double'"):
        figure_size("triple")


def test_save_figure_is_reproducible_and_checks_formats(canonical, tmp_path):
    fig = figures.motives_by_condition_plot(canonical, MOTIVES)
    (first,) = save_figure(fig, tmp_path / "a", formats=("svg",))
    (second,) = save_figure(fig, tmp_path / "b", formats=("svg",))
    assert first.read_bytes() == second.read_bytes()
    with pytest.raises(ValueError, match="cannot save figures as 'docx'"):
        save_figure(fig, tmp_path / "c", formats=("docx",))
    with pytest.raises(ValueError, match="`fig` must be a matplotlib Figure"):
        save_figure("not a figure", tmp_path / "d")


# --- layout: every text inside the figure, none on top of another -------------------


def _drawn_texts(fig):
    """The texts a renderer draws (tick labels outside the axis range are never drawn)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    FigureCanvasAgg(fig).draw()
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in undrawn]
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


def _assert_fits_and_is_legible(fig, name=""):
    texts = _drawn_texts(fig)
    assert texts
    frame = fig.bbox
    for text, box in texts:
        assert (box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1
                and box.y1 <= frame.y1 + 1), f"figure {name}: text {text!r} sticks out: {box} vs {frame}"
    for i, (first, a) in enumerate(texts):
        for second, b in texts[i + 1:]:
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
            assert min(overlap) <= 1, f"figure {name}: texts {first!r} and {second!r} overlap"
    # the house style's smallest type is 8 pt (APA: 8-14 pt at print size)
    assert min(t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and
                                                     hasattr(a, "get_text") and a.get_text().strip())) >= 8


DUTCH = {"condition": "Kanaal van de reactie", "public": "Publiek opgelost in de openbare draad",
         "private": "Verplaatst naar privékanalen (DM of e-mail)",
         "pk_scale": "Genoemde strategische motieven (0-2)", "realism": "Realisme van het scenario",
         "attitude": "Houding tegenover het bedrijf"}


@pytest.mark.parametrize("width", ["single", "double"])
def test_every_figure_fits_its_width(canonical, mediation_results, width):
    single, parallel = mediation_results
    motives = {m.removeprefix("code_"): label for m, label in
               zip(MOTIVES, ["Reputatie beschermen", "Imago etaleren", "De klant helpen"])}
    made = [
        figures.attitude_by_condition(canonical, labels=DUTCH, ylabel=DUTCH["attitude"], width=width),
        figures.motives_by_condition_plot(canonical, MOTIVES, labels=DUTCH, motive_labels=motives, width=width),
        figures.likert_diverging(canonical, ITEMS, labels=POLES, by="condition", points=7, reverse=["att_2", "att_4"],
                                 kind="semantic_differential", group_labels=DUTCH, group_headings=True, lang="nl",
                                 width=width),
        figures.likert_diverging(canonical, ITEMS, by="condition", points=7, width=width),
        figures.mediation_diagram(single, labels=DUTCH, lang="nl", width=width),
        figures.mediation_diagram(parallel, labels=DUTCH, lang="nl", width=width),
        figures.mediation_diagram(single, width=width),
        figures.bootstrap_distribution(parallel, labels=DUTCH, lang="nl", width=width),
    ]
    for index, fig in enumerate(made):
        assert fig.get_figwidth() == pytest.approx(figure_size(width)[0]), index
        _assert_fits_and_is_legible(fig, index)


def test_mediation_boxes_stay_inside_the_figure(mediation_results):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import FancyBboxPatch

    for result in mediation_results:
        fig = figures.mediation_diagram(result, labels=DUTCH)
        FigureCanvasAgg(fig).draw()
        boxes = [p.get_window_extent() for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
        assert len(boxes) == 2 + len(result.m)
        for box in boxes:  # the X and Y boxes used to be cut off at the figure's edges
            assert box.x0 >= fig.bbox.x0 and box.x1 <= fig.bbox.x1
            assert box.y0 >= fig.bbox.y0 and box.y1 <= fig.bbox.y1


# --- display labels and languages --------------------------------------------------


ITEMS = ["att_1", "att_2", "att_3", "att_4", "att_5"]
POLES = {"att_1": "Slecht – goed", "att_2": "Onaangenaam – aangenaam", "att_3": "Ongunstig – gunstig",
         "att_4": "Onaantrekkelijk – aantrekkelijk", "att_5": "Onsympathiek – sympathiek"}


def _one_line(texts):
    return [t.replace("\n", " ") for t in texts]


def test_mediation_diagram_shows_labels_in_the_report_language(mediation_results):
    single, parallel = mediation_results
    fig = figures.mediation_diagram(single, labels=DUTCH, lang="nl")
    texts = _one_line(_texts(fig))
    assert "Publiek opgelost in de openbare draad" not in texts  # the level is named inside the X box
    assert any(t.startswith("Kanaal van de reactie") and t.endswith("(Publiek opgelost in de openbare draad = 1)")
               for t in texts)
    assert DUTCH["pk_scale"] in texts and DUTCH["attitude"] in texts
    assert not {"pk_scale", "attitude", "condition"} & set(texts)
    summary = next(t for t in texts if "indirect effect" in t)
    total = single.paths.loc["c", "coef"]
    assert f"totaal effect c = {format_number(total, style='unicode')}" in summary
    assert "95%-BI" in summary and "95% CI" not in summary and "total effect" not in summary
    # parallel: mediators named by their labels in the summary, Dutch "totaal"
    summary = next(t for t in _one_line(_texts(figures.mediation_diagram(parallel, labels=DUTCH, lang="nl")))
                   if "indirect effect" in t)
    assert "indirect effect via Realisme van het scenario" in summary
    assert "totaal indirect effect" in summary
    # an explicit x_label is still used as given
    assert "Public reply" in _texts(figures.mediation_diagram(single, x_label="Public reply", labels=DUTCH))
    with pytest.raises(ValueError, match="`lang` must be one of en, nl"):
        figures.mediation_diagram(single, lang="de")
    with pytest.raises(ValueError, match="`labels` must be a dict"):
        figures.mediation_diagram(single, labels=["x"])


def test_bootstrap_distribution_labels_and_lang(mediation_results):
    _, parallel = mediation_results
    fig = figures.bootstrap_distribution(parallel, labels=DUTCH, lang="nl")
    titles = _one_line(ax.get_title(loc="left") for ax in fig.axes)
    assert titles == [f"Indirect effect via {DUTCH['pk_scale']}", f"Indirect effect via {DUTCH['realism']}"]
    assert {ax.get_ylabel() for ax in fig.axes} == {"Bootstrapsteekproeven"}
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["nul", "95%-BI", "schatting"]
    english = figures.bootstrap_distribution(parallel)
    assert [t.get_text() for t in english.legends[0].get_texts()] == ["zero", "95% CI", "estimate"]
    assert english.axes[0].get_ylabel() == "Resamples"


# --- Likert: semantic differentials, reverse keying, group labels -------------------------


def _widths(fig):
    """Percentages per row (top to bottom) and category: rows in the order the bars were drawn."""
    containers = [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]
    return np.array([[bar.get_width() for bar in c] for c in containers]).T  # (row, category)


def test_likert_shows_reverse_keyed_items_recoded(canonical):
    fig = figures.likert_diverging(canonical, ["att_1", "att_2"], points=7, reverse="att_2",
                                   labels={"att_2": "Unpleasant – pleasant"})
    widths = _widths(fig)
    for item, row, recoded in [("att_1", 0, False), ("att_2", 1, True)]:
        raw = canonical[item].value_counts(normalize=True).reindex(range(1, 8), fill_value=0) * 100
        # category k of a reversed item holds the raw answers points + 1 - k
        expected = [raw[8 - k] if recoded else raw[k] for k in range(1, 8)]
        assert widths[row] == pytest.approx(expected)
    assert not np.allclose(widths[1], (canonical["att_2"].value_counts(normalize=True)
                                       .reindex(range(1, 8), fill_value=0) * 100).to_numpy())
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["att_1", "Unpleasant – pleasant (recoded)"]
    dutch = figures.likert_diverging(canonical, ["att_2"], points=7, reverse=["att_2"], lang="nl")
    assert [t.get_text() for t in dutch.axes[0].get_yticklabels()] == ["att_2 (gehercodeerd)"]
    with pytest.raises(ValueError, match="`reverse` names 'att_9', which are not among `items`"):
        figures.likert_diverging(canonical, ["att_1"], points=7, reverse=["att_9"])


def test_likert_semantic_differential_words(canonical):
    fig = figures.likert_diverging(canonical, ITEMS, points=7, kind="semantic_differential")
    assert fig.axes[0].get_xlabel() == "Percentage of answers (negative pole left, positive pole right)"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["1 negative", "2", "3", "4", "5", "6", "7 positive"]
    dutch = figures.likert_diverging(canonical, ITEMS, points=7, kind="semantic_differential", lang="nl")
    assert "negatieve pool links" in dutch.axes[0].get_xlabel()
    assert [t.get_text() for t in dutch.legends[0].get_texts()][::6] == ["1 negatief", "7 positief"]
    # Likert items keep the agreement wording; an explicit axis label wins
    assert "disagree left, agree right" in figures.likert_diverging(canonical, ITEMS, points=7).axes[0].get_xlabel()
    custom = figures.likert_diverging(canonical, ITEMS, points=7, xlabel="Share of answers (%)")
    assert custom.axes[0].get_xlabel() == "Share of answers (%)"
    with pytest.raises(ValueError, match="`kind` must be one of likert, semantic_differential"):
        figures.likert_diverging(canonical, ITEMS, points=7, kind="slider")
    with pytest.raises(ValueError, match="`lang` must be one of en, nl"):
        figures.likert_diverging(canonical, ITEMS, points=7, lang="fr")


def test_likert_group_labels_and_headings(canonical):
    inline = figures.likert_diverging(canonical, ["att_1"], by="condition", points=7,
                                      labels={"att_1": "Bad – good"}, group_labels={"public": "Public reply"})
    assert [t.get_text() for t in inline.axes[0].get_yticklabels()] == ["Bad – good (private)",
                                                                        "Bad – good (Public reply)"]
    fig = figures.likert_diverging(canonical, ITEMS, by="condition", points=7, labels=POLES,
                                   group_labels=DUTCH, group_headings=True)
    ax = fig.axes[0]
    # each group's label once, as a heading; the ticks name only the items
    assert _one_line(t.get_text() for t in ax.texts) == [DUTCH["private"], DUTCH["public"]]
    assert _one_line(t.get_text() for t in ax.get_yticklabels()) == [POLES[i] for i in ITEMS] * 2
    widths = _widths(fig)
    for block, level in enumerate(["private", "public"]):  # rows ordered group by group
        for row, item in enumerate(ITEMS):
            answers = canonical.loc[canonical["condition"] == level, item]
            expected = answers.value_counts(normalize=True).reindex(range(1, 8), fill_value=0) * 100
            assert widths[block * len(ITEMS) + row] == pytest.approx(expected.to_numpy())
    # headings sit above their block of bars
    rows = np.array([bar.get_y() + bar.get_height() / 2 for bar in ax.containers[0]])
    headings = [t.get_position()[1] for t in ax.texts]
    assert headings[0] > rows[: len(ITEMS)].max() and headings[1] > rows[len(ITEMS):].max()
    assert rows[len(ITEMS):].max() < rows[: len(ITEMS)].min() < headings[0]


@pytest.mark.parametrize("width", ["single", "double"])
def test_four_conditions_with_long_labels_fit(canonical, width):
    """A 2x2 design in Dutch: four long condition labels in ticks, legends and headings."""
    levels = {"a": "Publiek opgelost in de openbare draad / Empathisch, met actief luisteren",
              "b": "Publiek opgelost in de openbare draad / Zakelijk en neutraal",
              "c": "Verplaatst naar privékanalen (DM) / Empathisch, met actief luisteren",
              "d": "Verplaatst naar privékanalen (DM) / Zakelijk en neutraal"}
    data = canonical.assign(condition=np.resize(list(levels), len(canonical)))
    made = [
        figures.attitude_by_condition(data, labels=levels, ylabel=DUTCH["attitude"], width=width),
        figures.motives_by_condition_plot(data, MOTIVES, labels=levels, width=width),
        figures.likert_diverging(data, ITEMS, labels=POLES, by="condition", points=7, group_labels=levels,
                                 group_headings=True, kind="semantic_differential", lang="nl", width=width),
    ]
    for index, fig in enumerate(made):
        _assert_fits_and_is_legible(fig, index)
    legend = [t.get_text().replace("\n", " ") for t in made[1].axes[0].get_legend().get_texts()]
    assert sorted(legend) == sorted(levels.values())  # wrapped, never shortened
