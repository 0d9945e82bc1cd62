"""Where this copy of garden was installed from, as a pip requirement another machine can use.

``garden init`` writes the requirement for the Pages workflow: GitHub's runners must install the
same garden the author runs. pip records the source of a direct install in the distribution's
``direct_url.json`` (PEP 610); an install from a package index has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata

from garden.core.version import DISTRIBUTION, VERSION


@dataclass(frozen=True)
class Origin:
    """A pip requirement for this garden; ``unreachable`` names the source GitHub's runners could
    not install it from (empty when they can)."""

    requirement: str
    unreachable: str = ""


def index_pin() -> str:
    return f"{DISTRIBUTION}=={VERSION}"


def installed_origin() -> Origin:
    """The requirement that installs this garden again: the git commit or archive it came from,
    else the package index's pin (with the reason a runner could not reach the source).

    The record is read beside the ``garden`` package that is running, not the first one
    ``importlib.metadata`` finds: in a checkout, the ``garden_ssg.egg-info`` that an editable
    install leaves there comes first on ``sys.path`` and has no install record."""
    from garden.core.locations import PACKAGE_ROOT as home  # the folder that holds garden/

    if (home / "pyproject.toml").is_file():  # a checkout (PYTHONPATH, or `pip install -e .`)
        return Origin(index_pin(), f"a checkout on this machine ({home})")
    distribution = next(iter(metadata.distributions(name=DISTRIBUTION, path=[str(home)])), None)
    if distribution is None:
        return Origin(index_pin(), "a folder on this machine, not an installed package")
    text = distribution.read_text("direct_url.json")
    if text is None:
        return Origin(index_pin())  # installed from a package index: the same pin installs it again
    try:
        direct = json.loads(text)
    except ValueError:
        return Origin(index_pin(), "unknown: its install record (direct_url.json) cannot be read")
    return origin_from_direct_url(direct if isinstance(direct, dict) else {})


def origin_from_direct_url(direct: dict) -> Origin:
    """PEP 610's record made a requirement: ``vcs_info`` → ``NAME @ git+URL@COMMIT``,
    ``archive_info`` → ``NAME @ URL``; a local folder (``dir_info``, editable or not) or a local
    file has no address a runner can reach."""
    url = str(direct.get("url") or "")
    local = url.startswith("file:")
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") and vcs.get("commit_id"):
        subdirectory = direct.get("subdirectory")
        tail = f"#subdirectory={subdirectory}" if subdirectory else ""
        requirement = f"{DISTRIBUTION} @ {vcs['vcs']}+{url}@{vcs['commit_id']}{tail}"
        return Origin(requirement, f"a git repository on this machine ({url})" if local else "")
    if isinstance(direct.get("archive_info"), dict) and url:
        if local:
            return Origin(index_pin(), f"a file on this machine ({url})")
        return Origin(f"{DISTRIBUTION} @ {url}")
    if isinstance(direct.get("dir_info"), dict):
        kind = "an editable checkout" if direct["dir_info"].get("editable") else "a folder"
        return Origin(index_pin(), f"{kind} on this machine ({url})")
    return Origin(index_pin(), "unknown: its install record (direct_url.json) names no source")
