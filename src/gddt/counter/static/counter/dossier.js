// The dossier page, in place: every form marked data-inplace (a photo, the signed scan, verify, approve, reject,
// reopen, a correction) is sent with fetch and the page's content is replaced by the answer, so the officer never
// waits for a full reload nor scrolls back to the panel. A chosen file is sent at once; a print opens the
// browser's print dialog on the PDF inside the page; the camera takes a still. Without this file every form posts
// and the page reloads, and the print links open the PDF.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !window.fetch || !window.FormData || !window.DOMParser) return;
  document.documentElement.classList.add("js");

  function texts() { return (document.getElementById("dossier-texts") || {}).dataset || {}; }
  function status(message) {
    var line = document.getElementById("panel-status");
    if (line) line.textContent = message || "";
  }

  // --- in place -------------------------------------------------------------------------------------------
  var busy = false;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var content = fresh.getElementById("main");
    if (!content) return false;
    var dialog = document.getElementById("camera-dialog");
    if (dialog && dialog.open) dialog.close();
    main.replaceChildren.apply(main, Array.prototype.map.call(content.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    if (fresh.title) document.title = fresh.title;
    setUp();
    // Tell what happened: the refusal, else the message of the action, else the next step.
    var target = main.querySelector("#problem") || main.querySelector(".flash-region") ||
      main.querySelector("#panel-title");
    if (target) target.focus({ preventScroll: true });
    return true;
  }

  function answer(response) {
    return response.text().then(function (html) {
      var here = new URL(response.url, window.location.href);
      // Signed out meanwhile (or sent elsewhere): go there, as a plain form would.
      if (here.pathname.indexOf("/can-bo/ho-so/") !== 0 || !swap(html)) window.location.assign(response.url);
    });
  }

  function send(form, data) {
    if (busy) return;
    busy = true;
    form.classList.add("is-saving");
    status(texts().saving);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "X-Requested-With": "inplace" } })
      .then(answer)
      .catch(function () {
        form.classList.remove("is-saving");
        status(texts().failed);
      })
      .then(function () { busy = false; });
  }

  function refresh() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "inplace" } })
      .then(answer).catch(function () { /* the page stays as it was */ });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-inplace]")) return;
    event.preventDefault();
    // A rejection sends an SMS and cannot be undone.
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) return;
    send(form, new FormData(form));
  });

  // A chosen file (or a photo taken by the phone's camera app) is uploaded at once: one action per photo.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form.upload[data-inplace] input[type=file]")) return;
    if (!input.files || !input.files.length) return;
    var form = input.form;
    var chosen = form.querySelector(".file-chosen");
    if (chosen) chosen.textContent = input.files[0].name;
    if (form.requestSubmit) form.requestSubmit(); else send(form, new FormData(form));
  });

  // --- print inside the page ------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-print]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var old = document.getElementById("print-frame");
    if (old) old.remove();
    var frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.className = "print-frame";
    frame.title = texts().printTitle || "";
    frame.tabIndex = -1;
    status(texts().printing);
    frame.addEventListener("load", function () {
      status("");
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.open(link.href, "_blank", "noopener");  // a browser that cannot print a framed PDF
      }
      refresh();  // the panel moves on to the next step (the print is recorded)
    });
    frame.src = link.href;
    document.body.appendChild(frame);
  });

  // --- the camera -----------------------------------------------------------------------------------------
  var stream = null;
  var cameraForm = null;

  function element(id) { return document.getElementById(id); }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    var video = element("camera-video");
    if (video) video.srcObject = null;
  }

  function preview() {
    element("camera-video").hidden = false; element("camera-canvas").hidden = true;
    element("camera-take").hidden = false; element("camera-use").hidden = true; element("camera-retake").hidden = true;
    element("camera-status").textContent = "";
  }

  function close() {
    stop();
    var dialog = element("camera-dialog");
    if (dialog && dialog.open) dialog.close();
  }

  function openCamera(form, facing) {
    cameraForm = form;
    element("camera-kind").textContent = form.getAttribute("data-kind-label") || "";
    var constraints = { audio: false, video: { facingMode: facing, width: { ideal: 1920 }, height: { ideal: 1080 } } };
    navigator.mediaDevices.getUserMedia(constraints).then(function (s) {
      stream = s;
      element("camera-video").srcObject = s;
      preview();
      element("camera-dialog").showModal();
      element("camera-take").focus();
    }).catch(function () {
      window.alert(texts().cameraFailed);
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) return;
    if (target.classList.contains("camera-button")) {
      openCamera(target.closest("form"), target.getAttribute("data-facing") || "environment");
    } else if (target.id === "camera-take") {
      var video = element("camera-video"), canvas = element("camera-canvas");
      if (!video.videoWidth || !video.videoHeight) return;
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      video.hidden = true; canvas.hidden = false;
      target.hidden = true; element("camera-use").hidden = false; element("camera-retake").hidden = false;
      element("camera-use").focus();
    } else if (target.id === "camera-retake") {
      preview();
    } else if (target.id === "camera-cancel") {
      close();
    } else if (target.id === "camera-use" && cameraForm) {
      var form = cameraForm;
      element("camera-status").textContent = texts().saving || "";
      element("camera-canvas").toBlob(function (blob) {
        var data = new FormData(form);
        data.delete("file");
        data.append("file", blob, "camera.jpg");
        stop();
        send(form, data);
      }, "image/jpeg", 0.92);
    }
  });

  // --- after every swap -----------------------------------------------------------------------------------
  function setUp() {
    var dialog = element("camera-dialog");
    if (dialog) dialog.addEventListener("cancel", stop);
    // Offer the camera only where there is one (a counter PC often has none).
    var buttons = document.querySelectorAll(".camera-button");
    if (!buttons.length || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    function offer() { buttons.forEach(function (button) { button.hidden = false; }); }
    if (!navigator.mediaDevices.enumerateDevices) { offer(); return; }
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      if (devices.some(function (d) { return d.kind === "videoinput"; })) offer();
    }).catch(offer);
  }
  setUp();
})();
