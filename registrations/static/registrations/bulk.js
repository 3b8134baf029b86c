// Bulk actions: on the registrations list, a box that ticks every row of the page; on a bulk
// job's page, the progress bar kept up to date from the job's JSON (without this script the
// page refreshes itself through <noscript><meta http-equiv="refresh">).
(function () {
  "use strict";

  function tickEveryRow() {
    var all = document.querySelector("input.select-page");
    if (!all) return;
    var rows = document.querySelectorAll('input[name="selected"][form="bulk-form"]');
    all.hidden = false;
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
    });
  }

  function followJob() {
    var card = document.getElementById("bulk-job");
    if (!card || card.dataset.status === "done") return;
    var url = card.dataset.progressUrl;
    var bar = document.getElementById("job-progress");
    function set(selector, value) {
      var node = card.querySelector(selector);
      if (node) node.textContent = String(value);
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          bar.value = job.percent;
          bar.textContent = job.percent + "%";
          set(".job-status-label", job.status_label);
          set(".job-handled", job.handled);
          set(".job-total", job.total);
          set(".job-done", job.done);
          set(".job-skipped", job.skipped);
          set(".job-failed", job.failed);
          if (job.finished) {
            window.location.reload(); // the finished page lists what was skipped or failed
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tickEveryRow();
    followJob();
  });
})();
