// What tests/screens.py measures on a page: a list of readable problems, empty when right.
// Boxes are DOMRects; two boxes overlap when they share more than a sliver (a pixel of
// antialiasing is not an overlap).
() => {
  const problems = [];
  const slack = 1;
  const rect = (el) => el.getBoundingClientRect();
  const meets = (a, b) => a.left < b.right - slack && b.left < a.right - slack &&
                          a.top < b.bottom - slack && b.top < a.bottom - slack;
  const name = (el) => (el.textContent || el.tagName).trim().slice(0, 40);
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.body.querySelectorAll("*")].filter((el) => rect(el).right > width + slack)
      .filter((el) => !el.closest(".math-display, pre, table, .lg-frame"));
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px > ${width} px` +
      (wide.length ? ` (e.g. <${wide[wide.length - 1].tagName.toLowerCase()} class="${wide[wide.length - 1].className}">)` : ""));
  }
  // display math: whatever is wider than its box must be in a scroll box that shows there is more
  for (const math of document.querySelectorAll(".katex-display")) {
    const box = math.closest(".math-display") || math.parentElement;
    const inner = math.querySelector(".katex-html") || math;
    const overflows = inner.scrollWidth > box.clientWidth + slack || rect(inner).right > rect(box).right + slack;
    if (!overflows) continue;
    const style = getComputedStyle(box);
    const scrolls = ["auto", "scroll"].includes(style.overflowX) && box.scrollWidth > box.clientWidth;
    const cue = style.backgroundImage !== "none" || box.offsetHeight - box.clientHeight > 0;
    if (!scrolls) problems.push(`a display formula is cut without a scroll box: ${name(math)}`);
    else if (!cue) problems.push(`a display formula scrolls with no cue that there is more: ${name(math)}`);
  }
  // equation tags never overlap their formula's rows
  for (const tag of document.querySelectorAll(".katex-display .katex-tag")) {
    const html = tag.closest(".katex-html");
    for (const base of html.querySelectorAll(":scope > .katex-base")) {
      if (meets(rect(tag), rect(base))) {
        problems.push(`equation tag ${name(tag)} overlaps its formula`);
        break;
      }
    }
  }
  // figures: text never on other text, nor on a node, nor outside the figure
  for (const svg of document.querySelectorAll("svg.fig")) {
    const frame = rect(svg);
    if (frame.width === 0) continue;
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    const dots = [...svg.querySelectorAll("circle.node")];
    texts.forEach((t, i) => {
      const a = rect(t);
      if (a.left < frame.left - slack || a.right > frame.right + slack || a.top < frame.top - slack || a.bottom > frame.bottom + slack)
        problems.push(`figure text outside the figure: ${name(t)}`);
      for (const u of texts.slice(i + 1)) if (meets(a, rect(u))) problems.push(`figure texts overlap: ${name(t)} / ${name(u)}`);
      for (const d of dots) if (meets(a, rect(d))) { problems.push(`figure text over a node: ${name(t)}`); break; }
    });
    // node colours are the legend's colours: each node's is in the legend, each legend entry is used
    const legend = new Set([...svg.querySelectorAll(".swatch-area")].map((s) => getComputedStyle(s).fill));
    if (legend.size) {
      const used = new Set([...svg.querySelectorAll("circle.node:not(.planned)")].map((d) => getComputedStyle(d).fill));
      for (const fill of used) if (!legend.has(fill)) problems.push(`a figure node's colour ${fill} is not in its legend`);
      for (const fill of legend) if (!used.has(fill)) problems.push(`the legend's colour ${fill} is on no node`);
    }
  }
  // the graph page: its labels (as drawn, reported by graph.js) never overlap
  const canvas = document.getElementById("graph-canvas");
  if (canvas && canvas.dataset.labels) {
    const boxes = JSON.parse(canvas.dataset.labels);
    if (!boxes.length) problems.push("the graph page labels no note");
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1))
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
          problems.push(`graph labels overlap: ${a.t} / ${b.t}`);
    });
    const frame = rect(canvas.closest(".graph-frame"));
    if (frame.bottom + window.scrollY > window.innerHeight + slack)
      problems.push(`the graph runs below the first screen: ${Math.round(frame.bottom)} > ${window.innerHeight}`);
  }
  return problems;
}
