#!/usr/bin/env python3
"""Page-weight budget of a note page: a 1,500-word note with 20 formulas, built for real.

    python bench/budget.py [--keep DIR]

Counts what a reader downloads that we write: the page's HTML and our own CSS and JS, each
gzip-compressed (level 6, as static hosts such as GitHub Pages serve them). KaTeX's style
sheet and fonts, images and Pagefind's files are not counted. Budgets: 30 KB compressed for
that total, 30 KB uncompressed for all of our JS. The test suite checks the same numbers.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("css/garden.css", "css/reader.css", "css/highlight.css", "js/garden.js")
ALL_JS = ("js/garden.js", "js/graph.js")
SLUG = "budget-note"
WORDS = [
    *[
        "kernel",
        "width",
        "limit",
        "gradient",
        "flow",
        "network",
        "feature",
        "learning",
        "regime",
        "lazy",
        "rich",
        "training",
    ],
    *[
        "dynamics",
        "parametrization",
        "scaling",
        "initialization",
        "variance",
        "depth",
        "layer",
        "weight",
        "update",
    ],
    *[
        "rate",
        "optimizer",
        "loss",
        "generalization",
        "bound",
        "sample",
        "complexity",
        "random",
        "features",
        "infinite",
    ],
    *[
        "finite",
        "perturbation",
        "theory",
        "tangent",
        "Gaussian",
        "process",
        "covariance",
        "recursion",
        "activation",
    ],
    *["nonlinearity", "spectrum", "eigenvalue"],
]
FORMULAS_INLINE = [
    r"$\Theta(x,x') = \nabla_\theta f(x)^\top \nabla_\theta f(x')$",
    r"$\dot f_t = -\eta\,\Theta\,(f_t - y)$",
    r"$W_{ij} \sim \mathcal{N}(0, \sigma_w^2 / n)$",
    r"$\mathbb{E}[\phi(z)\phi(z')]$",
    r"$\eta = \Theta(1/n)$",
    r"$\|\theta_t - \theta_0\| = O(n^{-1/2})$",
    r"$K^{(l+1)} = \sigma_b^2 + \sigma_w^2\,\mathbb{E}[\phi(u)\phi(v)]$",
    r"$\lambda_{\min}(\Theta) > 0$",
    r"$\mathcal{L}(\theta) = \tfrac12 \sum_i (f(x_i) - y_i)^2$",
    r"$\rho = \cos\theta$",
    r"$h^{(l)} = W^{(l)} \phi(h^{(l-1)}) + b^{(l)}$",
    r"$p(y \mid x, \mathcal{D})$",
    r"$\alpha = n^{-a}$",
    r"$\Delta W = -\eta\, \nabla_W \mathcal{L}$",
]
FORMULAS_DISPLAY = [
    r"f_t = f_0 - \Theta\,\Theta^{-1}\left(I - e^{-\eta \Theta t}\right)(f_0 - y)",
    r"K^{(l)}(x, x') = \sigma_b^2 + \sigma_w^2\, "
    r"\mathbb{E}_{(u,v) \sim \mathcal{N}(0, \Sigma^{(l-1)})}[\phi(u)\phi(v)]",
    r"\kappa_1(\rho) = \frac{1}{\pi}\left(\sqrt{1-\rho^2} + (\pi - \arccos\rho)\,\rho\right)",
    r"\mathbb{E}\left[\mathcal{L}_{\text{test}}\right] \le \sqrt{\frac{y^\top \Theta^{-1} y}{n}}"
    r" + O\!\left(\sqrt{\frac{\log(1/\delta)}{n}}\right)",
    r"\begin{aligned} m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\"
    r" v_t &= \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \end{aligned}",
    r"\Sigma^{(l)} = \begin{pmatrix} K(x,x) & K(x,x') \\ K(x',x) & K(x',x') \end{pmatrix}",
]


@dataclass
class Sizes:
    html_gzip: int
    css_gzip: int
    js_gzip: int
    js_raw: int  # all of our JS, uncompressed

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + self.css_gzip + self.js_gzip


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def budget_note() -> str:
    """1,500 words of prose under six headings, 14 inline and 6 display formulas, a few links."""
    rng = random.Random(6)
    inline = iter(FORMULAS_INLINE)
    display = iter(FORMULAS_DISPLAY)
    words = 0
    parts = ["---\ntitle: Budget note\ntags: [kernels, theory]\n---\n"]
    for section in range(6):
        parts.append(f"## Section {section + 1}: {rng.choice(WORDS).title()} {rng.choice(WORDS)}\n")
        for paragraph in range(4):
            sentence = []
            for _ in range(62):
                sentence.append(rng.choice(WORDS))
            words += len(sentence)
            text = " ".join(sentence).capitalize() + "."
            if paragraph < 3 and (formula := next(inline, None)):
                text = text.replace(" ", f" {formula} ", 1)
            if paragraph == 1:
                text += f" See [[Neighbour {section}]] and [[Other {section}]]."
            parts.append(text + "\n")
        if formula := next(display, None):
            parts.append(f"$$\n{formula}\n$$\n")
    assert 1450 <= words <= 1550, words
    return "\n".join(parts)


def make_budget_garden(root: Path) -> Path:
    notes = root / "notes"
    notes.mkdir(parents=True)
    (root / "garden.yaml").write_text(
        "title: Budget\ntaxonomy:\n  - title: Core\n    children:\n      - {slug: models, title: Models}\n",
        encoding="utf-8",
    )
    (notes / f"{SLUG}.md").write_text(budget_note(), encoding="utf-8")
    for i in range(6):
        (notes / f"neighbour-{i}.md").write_text(
            f"---\ntitle: Neighbour {i}\n---\nBack to the [[Budget note]].\n", encoding="utf-8"
        )
    return root


def measure(site: Path, slug: str = SLUG) -> Sizes:
    html = (site / slug / "index.html").read_bytes()
    return Sizes(
        html_gzip=_gz(html),
        css_gzip=sum(_gz((site / p).read_bytes()) for p in OURS if p.endswith(".css")),
        js_gzip=sum(_gz((site / p).read_bytes()) for p in OURS if p.endswith(".js")),
        js_raw=sum((site / p).stat().st_size for p in ALL_JS),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in this (new) folder and keep it")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from garden.build.builder import build_site
    from garden.build.inputs import BuildOptions

    with tempfile.TemporaryDirectory() as tmp:
        root = make_budget_garden(args.keep or Path(tmp) / "budget")
        result = build_site(BuildOptions(root=root))
        if not result.written:
            print("\n".join(p.format() for p in result.problems.items), file=sys.stderr)
            return 1
        site = root / "_site"
        html = (site / SLUG / "index.html").read_bytes()
        sizes = measure(site)
        print(f"note page HTML      {len(html):7,d} B raw  {sizes.html_gzip:7,d} B gzip")
        for path in OURS:
            data = (site / path).read_bytes()
            print(f"{path:<19} {len(data):7,d} B raw  {_gz(data):7,d} B gzip")
        print(f"total (gzip)        {sizes.total_gzip:7,d} B  (budget 30,720)")
        print(f"our JS, all files   {sizes.js_raw:7,d} B raw (budget 30,720)")
        over = sizes.total_gzip > 30 * 1024 or sizes.js_raw > 30 * 1024
        return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
