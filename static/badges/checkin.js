// Check-in desk, progressive enhancement: the page works without this file.
// - Camera scanning through the BarcodeDetector API where the browser has it (no library, no CDN).
// - After "check in and print" (opens the badge PDF in a new tab) this page reloads to show the state.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan");
  var button = document.getElementById("camera-button");
  var video = document.getElementById("camera");
  var status = document.getElementById("camera-status");

  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.addEventListener("click", function () {
      var url = new URL(window.location.href);
      url.searchParams.delete("code");
      url.searchParams.delete("q");
      window.setTimeout(function () { window.location.assign(url.toString()); }, 1500);
    });
  });

  if (!form || !button || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  button.hidden = false;
  var stream = null;
  var detector = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
  }

  function scan() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      if (codes.length) {
        input.value = codes[0].rawValue;
        stop();
        form.submit();
      } else {
        window.setTimeout(scan, 200);
      }
    }).catch(function () { window.setTimeout(scan, 400); });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) { throw new Error("no qr"); }
      detector = new BarcodeDetector({ formats: ["qr_code"] });
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      return video.play();
    }).then(scan).catch(function () {
      status.textContent = button.dataset.unavailable || "Camera scanning is not available here: use the scanner or search.";
      stop();
    });
  });
})();
