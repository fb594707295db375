// The search page: a USB or handheld scanner types "GDDT:<number>" + Enter into the search box, which needs no
// script at all. This adds a "scan with camera" button where the browser has the BarcodeDetector API.
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var dialog = document.getElementById("scan-dialog");
  var video = document.getElementById("scan-video");
  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  if (!button || !dialog || !form || !input) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  var stream = null;
  var timer = null;

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    if (dialog.open) dialog.close();
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) return;
    button.hidden = false;
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });

    function look() {
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          input.value = codes[0].rawValue;
          stop();
          form.requestSubmit ? form.requestSubmit() : form.submit();
          return;
        }
        timer = window.setTimeout(look, 250);
      }).catch(function () { timer = window.setTimeout(look, 500); });
    }

    button.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          dialog.showModal();
          look();
        })
        .catch(function () { button.hidden = true; input.focus(); });
    });
  }).catch(function () { /* no detector: the button stays hidden */ });

  document.getElementById("scan-cancel").addEventListener("click", function () { stop(); input.focus(); });
  dialog.addEventListener("cancel", function () { stop(); });
})();
