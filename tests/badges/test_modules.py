"""The badges app's modules: print jobs live in ``printing`` with the task they queue, and no
import goes round in a circle (``services`` never imports ``printing`` or ``tasks``)."""

import grimp
from django.utils.module_loading import import_string

from badges import printing, tasks


def test_the_render_task_lives_beside_the_print_jobs_and_keeps_its_old_path():
    assert printing.render_print_job.module_path == "badges.printing.render_print_job"
    assert tasks.render_print_job is printing.render_print_job
    queued_before = "badges.tasks.render_print_job"  # the task path of a job queued before
    assert import_string(queued_before) is printing.render_print_job
    assert printing.render_print_job.queue_name == "batch"


def test_no_module_of_badges_imports_in_a_circle():
    """Imports inside functions count too: a circle kept alive by one is still a circle."""
    graph = grimp.build_graph("badges")
    circles = sorted(
        (module, imported)
        for module in graph.modules
        if module.startswith("badges")
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("badges") and graph.chain_exists(importer=imported, imported=module)
    )
    assert circles == []
