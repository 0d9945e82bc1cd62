"""The files ``garden init`` writes into a new garden: config, .gitignore, Pages workflow, home.

Kept as text here (not copied from this repository) so that an installed garden writes the
same files as a checkout does.
"""

from __future__ import annotations

from typing import Any

import yaml

from garden.core.origin import index_pin

GITIGNORE = """\
# garden's output and build cache (rebuilt by every build)
_site/
.garden-cache/
node_modules/
"""

HOME_TEXT = "Welcome. Every `.md` file under this folder is a note; link notes with `[[Note name]]`.\n"


def home_note(title: str) -> str:
    """The home page's text: ``notes/index.md``."""
    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{HOME_TEXT}"


# The action versions are the current major releases, all on Node 24 (Node 20 has left GitHub's
# runners); tests check this file and the repository's own workflow name the same ones.
PAGES_WORKFLOW = """\
# Build the garden and publish it with GitHub Pages on every push to main (or by hand).
# Turn it on once: Settings → Pages → Build and deployment → Source: GitHub Actions.
name: Publish the garden

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - name: Check out with full history (created and updated dates come from git)
        uses: actions/checkout@v7
        with:
          fetch-depth: 0

      - name: Set up Python
        uses: actions/setup-python@v7
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: requirements.txt

      # Only for a garden that pins its own KaTeX in package.json; the package carries one.
      - name: Set up Node.js
        if: hashFiles('package-lock.json') != ''
        uses: actions/setup-node@v7
        with:
          node-version: "24"
          cache: npm

      # requirements.txt names the garden to install (a release, a git commit…): edit it there.
      - name: Install garden
        run: |
          pip install -r requirements.txt
          if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; fi

      - name: Configure Pages
        id: pages
        uses: actions/configure-pages@v6

      - name: Reuse social cards drawn by earlier runs
        uses: actions/cache@v6
        with:
          path: .garden-cache
          key: garden-cache-${{ github.sha }}
          restore-keys: garden-cache-

      - name: Build the garden
        run: garden build --base-url "${{ steps.pages.outputs.base_url }}/"

      - name: Upload the site
        uses: actions/upload-pages-artifact@v5
        with:
          path: _site

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - name: Deploy to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v5
"""


def pages_workflow() -> str:
    return PAGES_WORKFLOW


def requirements_text(requirement: str) -> str:
    """requirements.txt: the one place that says which garden the Pages workflow installs."""
    return (
        "# The garden the Pages workflow installs (pip install -r requirements.txt). Any pip\n"
        f"# requirement works: a release ({index_pin()}) or a commit of a repository GitHub\n"
        "# can reach (garden-ssg @ git+https://github.com/OWNER/REPO@COMMIT).\n"
        f"{requirement}\n"
    )


def config_text(title: str, notes: str, taxonomy: list[dict[str, Any]]) -> str:
    """A minimal garden.yaml: title, where the notes are, the sections drawn from the folders."""
    head = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
    lines = [
        "# Site configuration (see README: The site config). Paths are relative to this file.",
        head.rstrip("\n"),
        'description: ""',
        "# https://USER.github.io/REPO/ once published (the Pages workflow passes it itself)",
        "base_url: /",
        f"notes: {yaml.safe_dump(notes).splitlines()[0]}",
        "",
    ]
    if taxonomy:
        lines += [
            "# Sections, drawn from the notes' folders: a note joins the section of its folder.",
            "# Rename titles, add `description:`, group them under a heading without `slug`.",
            yaml.safe_dump({"taxonomy": taxonomy}, allow_unicode=True, sort_keys=False).rstrip("\n"),
        ]
    else:
        lines += [
            "# Without a taxonomy, each folder of notes is a section. To choose your own:",
            "# taxonomy:",
            "#   - {slug: models, title: Models}",
        ]
    return "\n".join(lines) + "\n"
