// Check-in desk, progressive enhancement: the page works without this file.
// - Camera scanning on every current phone browser: the BarcodeDetector API where the browser
//   has it (Chrome on Android), else the vendored jsQR decoder (Safari on iPhone, Firefox),
//   loaded only when the camera starts. The button shows only where a camera API exists.
// - Hand-held scanners type the code and press Enter: focus stays in the code field.
// - The verdict sounds (and vibrates where the device allows): one high tone for "may enter",
//   two for "already checked in", a low buzz for "may not enter" or "not valid".
// - After "check in and print" (opens the badge PDF in a new tab) this page reloads to show the state.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan");
  var button = document.getElementById("camera-button");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("camera-frame");
  var status = document.getElementById("camera-status");
  var verdict = document.getElementById("verdict");

  // Submit as a person would, so the form's submit listeners run (the offline desk answers a
  // scan locally from one); form.submit() would skip them. Old browsers: a click does the same.
  function send() {
    if (form.requestSubmit) { form.requestSubmit(); return; }
    var submit = form.querySelector("[type=submit]");
    if (submit) { submit.click(); } else { form.submit(); }
  }

  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.addEventListener("click", function () {
      var url = new URL(window.location.href);
      url.searchParams.delete("code");
      url.searchParams.delete("q");
      window.setTimeout(function () { window.location.assign(url.toString()); }, 1500);
    });
  });

  // --- The verdict, heard and felt -------------------------------------------------------
  function tones(pattern) {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    try {
      var ctx = new Ctx();
      var t = ctx.currentTime;
      pattern.forEach(function (p) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = p.wave || "sine";
        osc.frequency.value = p.hz;
        gain.gain.setValueAtTime(0.2, t + p.at);
        gain.gain.exponentialRampToValueAtTime(0.001, t + p.at + p.len);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(t + p.at);
        osc.stop(t + p.at + p.len);
      });
    } catch (e) { /* no sound here: the colour says it */ }
  }
  if (verdict) {
    var kind = verdict.dataset.verdict;
    var sounds = {
      ok: [{ hz: 1320, at: 0, len: 0.15 }],
      warn: [{ hz: 880, at: 0, len: 0.12 }, { hz: 880, at: 0.2, len: 0.12 }],
      bad: [{ hz: 220, at: 0, len: 0.5, wave: "square" }]
    };
    var buzz = { ok: [80], warn: [80, 80, 80], bad: [400, 100, 400] };
    if (sounds[kind]) { tones(sounds[kind]); }
    if (buzz[kind] && navigator.vibrate) { try { navigator.vibrate(buzz[kind]); } catch (e) { /* not allowed */ } }
  }

  // --- Hand-held scanners: keep the code field focused ------------------------------------
  if (input) {
    var typing = function (el) {
      return el && el !== input && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
    };
    if (!typing(document.activeElement)) { input.focus(); }
    // A desk computer with a scanner (a fine pointer): clicks elsewhere give the focus back.
    // On a phone that would open the keyboard after every tap, so it is left alone there.
    var desktop = window.matchMedia && window.matchMedia("(pointer: fine)").matches;
    if (desktop) document.addEventListener("click", function () {
      window.setTimeout(function () {
        if (!typing(document.activeElement) && !document.querySelector("details[open] input:focus")) { input.focus({ preventScroll: true }); }
      }, 0);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && input.value.trim()) { e.preventDefault(); send(); }
    });
  }

  // --- Camera ------------------------------------------------------------------------------
  var hasCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  if (!form || !button || !hasCamera) { return; }
  button.hidden = false;
  var label = button.textContent;
  var stream = null;
  var decode = null;

  function found(text) {
    input.value = text;
    stop();
    send();
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.hidden = true;
    button.textContent = label;
  }

  function nativeDecoder() {
    if (!("BarcodeDetector" in window)) { return Promise.resolve(null); }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) { return null; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }).catch(function () { return null; });
  }

  function loadJsQR() {
    if (window.jsQR) { return Promise.resolve(); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = button.dataset.decoder;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsqrDecoder() {
    return loadJsQR().then(function () {
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) { return Promise.resolve(null); }
        var scale = Math.min(1, 640 / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code && code.data ? code.data : null);
      };
    });
  }

  function scan() {
    if (!stream) { return; }
    decode().then(function (text) {
      if (text) { found(text); } else { window.setTimeout(scan, 150); }
    }).catch(function () { window.setTimeout(scan, 400); });
  }

  button.addEventListener("click", function () {
    if (stream) { stop(); return; }
    status.textContent = "";
    nativeDecoder().then(function (native) {
      return native || jsqrDecoder();
    }).then(function (decoder) {
      decode = decoder;
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.dataset.stop;
      status.textContent = button.dataset.looking;
      return video.play();
    }).then(scan).catch(function (error) {
      var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      status.textContent = denied ? button.dataset.denied : button.dataset.unavailable;
      stop();
    });
  });
})();
