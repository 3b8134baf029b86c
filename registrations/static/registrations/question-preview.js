// The question edit page's live preview: the unsaved form is posted (with its CSRF token) to
// the preview address a moment after the organiser stops typing, and the fragment the server
// renders (the delegate form's own fields) replaces the preview. Nothing is saved. Without
// JavaScript the "Preview" button renders the same preview with the page.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var target = document.getElementById("question-preview");
  var status = document.getElementById("question-preview-status");
  if (!form || !target || !form.dataset.previewUrl || !window.fetch || !window.FormData) { return; }
  var timer = null;
  var sent = 0;

  function refresh() {
    sent += 1;
    var mine = sent;
    target.setAttribute("aria-busy", "true");
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (mine !== sent) { return; }  // an older answer arriving late
      target.innerHTML = html;
      target.dataset.updates = String(Number(target.dataset.updates || "0") + 1);
      target.removeAttribute("aria-busy");
      if (status) { status.textContent = ""; }
    }).catch(function () {
      if (mine !== sent) { return; }
      target.removeAttribute("aria-busy");
      if (status) { status.textContent = status.dataset.failed || ""; }
    });
  }

  function soon(event) {
    if (event.target.form !== form) { return; }  // the "preview as" choice belongs to the form too
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  }
  document.addEventListener("input", soon);
  document.addEventListener("change", soon);
  form.dataset.ready = "1"; // the listeners are in place (the browser tests wait for it)
})();
