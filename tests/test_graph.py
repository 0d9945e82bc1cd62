"""Point 7: backlinks with context, outgoing links, planned notes, did-you-mean."""

from __future__ import annotations

from test_markdown import body

from garden.linking.suggest import one_typo_apart


def test_backlinks_list_the_sentence_that_links(garden, cli):
    garden.note("target.md", "---\ntitle: NNGP\n---\nThe NNGP.\n")
    garden.note("a.md", "First sentence. The kernel is the [[NNGP]] in the limit. Last sentence.\n")
    garden.note("b.md", "---\ntitle: Bee\n---\nAlso see [the NNGP](target.md).\n")
    assert cli(garden).code == 0
    page = garden.page("target")
    backlinks = page.split('id="backlinks-title"')[1]
    assert '<a class="internal" href="/a/">a</a>' in backlinks
    assert '<p class="context">The kernel is the NNGP in the limit.</p>' in backlinks
    assert '<a class="internal" href="/b/">Bee</a>' in backlinks
    assert "Also see the NNGP." in backlinks
    outgoing = garden.page("a").split('id="outlinks-title"')[1]
    assert 'href="/target/"' in outgoing


def test_planned_notes_are_inert_and_listed(garden, cli):
    garden.note("a.md", "I will write [[Scaling Laws]] and [[Muon|the Muon note]].\n")
    garden.note("b.md", "Also wants [[scaling laws]].\n")
    result = cli(garden)
    assert result.code == 0
    html = body(garden, "a")
    assert (
        '<span class="planned-link" title="Planned note: Scaling Laws (not written yet)">Scaling Laws</span>'
        in html
    )
    assert "the Muon note</span>" in html
    assert "<a" not in html.split("Scaling Laws")[0].split("<p>")[-1]
    planned = garden.page("planned")
    assert planned.count('<h2 class="planned-name">') == 2
    entry = planned.split('id="scaling-laws"')[1].split("</li>\n  <li")[0]
    assert 'href="/a/"' in entry and 'href="/b/"' in entry
    assert not (garden.site / "scaling-laws").exists()


def test_did_you_mean_for_one_typo(garden, cli):
    garden.note("nngp.md", "---\ntitle: NNGP\naliases: [Neural GP]\n---\nx\n")
    garden.note("a.md", "See [[NNGPP]] and [[Nueral GP]] and [[Totally New]].\n")
    result = cli(garden)
    assert result.code == 0
    assert "notes/a.md:1: warning: [[NNGPP]] is a planned note (no such note yet)" in result.err
    assert "did you mean [[NNGP]]?" in result.err
    assert "did you mean [[Neural GP]]?" in result.err
    assert "Totally New" not in result.err
    assert cli(garden, "--strict").code == 1


def test_one_typo_apart():
    assert one_typo_apart("nngp", "nngpp") and one_typo_apart("ntk", "nk") and one_typo_apart("abc", "abd")
    assert one_typo_apart("nueral", "neural")  # swap
    assert not one_typo_apart("abc", "abc") and not one_typo_apart("abc", "xyz")
    assert not one_typo_apart("abcd", "xbcy")  # two substitutions, not a swap
    assert one_typo_apart("abcd", "abdd")  # one substitution
    assert not one_typo_apart("xbc", "abcd") and not one_typo_apart("abcd", "xbc")  # two edits
    assert one_typo_apart("bcd", "abcd") and one_typo_apart("abcd", "bcd")  # first letter dropped


def test_new_backlink_sentences_patch_the_graph_as_a_full_build_would():
    from garden.linking.check import Edge
    from garden.linking.graph import build_graph
    from garden.linking.resolve import Target

    def edges(sentence: str) -> dict[str, list[Edge]]:
        note, planned, file = Target("note", "b"), Target("planned", "Muon"), Target("file", "x.png")
        return {
            "a": [
                Edge("a", note, 3, f"{sentence} one"),
                Edge("a", note, 4, f"{sentence} again"),  # only the first link to b is a backlink
                Edge("a", Target("note", "a"), 5, "self"),
                Edge("a", planned, 6, f"{sentence} planned"),
                Edge("a", Target("planned", "muon"), 7, "same planned note"),
                Edge("a", file, 8, "a file"),
            ],
            "b": [Edge("b", Target("note", "a"), 1, "b to a"), Edge("b", planned, 2, "b wants Muon")],
            "c": [Edge("c", note, 9, "c to b")],
        }

    before = build_graph(["a", "b", "c"], edges("Old"))
    after = edges("New")
    patched = before.with_contexts({"a": after["a"]})
    assert patched == build_graph(["a", "b", "c"], after)
    assert patched.backlinks["b"][0].context == "New one" and before.backlinks["b"][0].context == "Old one"


def test_patched_contexts_reach_links_after_repeated_planned_files_and_self_links():
    """``[[Planned]] x [[Planned]] y [[Other]]``: only the sentence around ``[[Other]]``
    changes; the quick path must walk past the repeated planned link (and a file and a
    self-link) to renew Other's backlink."""
    from garden.linking.check import Edge
    from garden.linking.graph import build_graph
    from garden.linking.resolve import Target

    def edges(sentence: str) -> dict[str, list[Edge]]:
        planned = Target("planned", "Planned")
        return {
            "a": [
                Edge("a", planned, 1, "x"),
                Edge("a", planned, 1, "x again"),
                Edge("a", Target("file", "pic.png"), 2, "a file"),
                Edge("a", Target("note", "a"), 3, "myself"),
                Edge("a", Target("note", "other"), 4, sentence),
            ],
            "other": [],
        }

    before = build_graph(["a", "other"], edges("y links Other."))
    after = edges("y now links Other, reworded.")
    patched = before.with_contexts({"a": after["a"]})
    assert patched == build_graph(["a", "other"], after)
    assert [b.context for b in patched.backlinks["other"]] == ["y now links Other, reworded."]
    assert [b.context for b in patched.planned["planned"].wanted_by] == ["x"]


def test_a_note_linking_to_itself_is_not_its_own_backlink(garden, cli):
    garden.note("a.md", "---\ntitle: Alpha\n---\nAlpha refers to [[Alpha]] itself and [itself](a.md).\n")
    garden.note("b.md", "---\ntitle: Beta\n---\nBeta links to [[Alpha]].\n")
    assert cli(garden).code == 0
    backlinks = garden.page("a").split('id="backlinks-title"')[1].split("</section>")[0]
    assert 'href="/b/"' in backlinks  # the section is there, with the other note
    assert 'href="/a/"' not in backlinks
    # an incremental rebuild (only Alpha's text changed) patches the backlinks the same way
    garden.note("a.md", "---\ntitle: Alpha\n---\nAlpha, edited, still refers to [[Alpha]].\n")
    assert cli(garden).code == 0
    backlinks = garden.page("a").split('id="backlinks-title"')[1].split("</section>")[0]
    assert 'href="/b/"' in backlinks
    assert 'href="/a/"' not in backlinks


def test_transclusion_cycle_names_the_chain_in_order(garden, cli):
    garden.note("a.md", "A embeds B\n\n![[b]]\n")
    garden.note("b.md", "B embeds C\n\n![[c]]\n")
    garden.note("c.md", "C embeds A\n\n![[a]]\n")
    result = cli(garden)
    assert result.code == 0, result.output
    assert "notes/a.md:3: warning: transclusion cycle: a → b → c → a\n" in result.err
    assert "notes/b.md:3: warning: transclusion cycle: b → c → a → b\n" in result.err
    assert "notes/c.md:3: warning: transclusion cycle: c → a → b → c\n" in result.err
    assert result.err.count("transclusion cycle") == 3
