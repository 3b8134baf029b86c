"""No module imports in a circle, in any app (issue #12): a circle kept alive by an import inside
a function, or hidden behind ``TYPE_CHECKING``, is still a circle, so both count here."""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("events_site", "registrations", "sessions", "badges")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES)


def _circles(graph, package: str) -> list[tuple[str, str]]:
    return sorted(
        (module, imported)
        for module in graph.modules
        if module.split(".")[0] == package
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] == package
        # A package's __init__ importing its own submodules is how a package names them.
        and not module.startswith(imported + ".")
        and not imported.startswith(module + ".")
        and graph.chain_exists(importer=imported, imported=module)
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_in_a_circle(graph, package):
    assert _circles(graph, package) == []
