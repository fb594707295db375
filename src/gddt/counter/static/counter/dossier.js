// The dossier page: a photo from the browser camera (live preview, a still into a canvas, sent as a JPEG to the
// same supplement URL as the file form), and a confirmation before a rejection. Without getUserMedia the camera
// buttons stay hidden and the file inputs do the work.
(function () {
  "use strict";

  // Confirm destructive actions (a rejection sends an SMS and cannot be undone).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // A chosen file (or a photo taken by the phone's camera app) is uploaded at once: one action per photo, and no
  // chosen-but-not-uploaded file lost when the page reloads after another upload.
  document.querySelectorAll("form.upload").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var submit = form.querySelector("button[type=submit]");
    if (!input || !submit) return;
    submit.hidden = true;
    input.addEventListener("change", function () {
      if (!input.files || !input.files.length) return;
      form.classList.add("is-saving");
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  });

  var dialog = document.getElementById("camera-dialog");
  if (!dialog || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch) return;
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var status = document.getElementById("camera-status");
  var kindLabel = document.getElementById("camera-kind");
  var take = document.getElementById("camera-take");
  var use = document.getElementById("camera-use");
  var retake = document.getElementById("camera-retake");
  var cancel = document.getElementById("camera-cancel");
  var savingText = document.getElementById("camera-saving").textContent;
  var failedText = document.getElementById("camera-failed").textContent;
  var refusedText = document.getElementById("camera-refused").textContent;
  var stream = null;
  var form = null;

  function csrfToken(f) {
    var field = f.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
  }

  function preview() {
    video.hidden = false; canvas.hidden = true;
    take.hidden = false; use.hidden = true; retake.hidden = true;
    status.textContent = "";
  }

  function open(f, facing) {
    form = f;
    kindLabel.textContent = f.getAttribute("data-kind-label") || "";
    var constraints = { audio: false, video: { facingMode: facing, width: { ideal: 1920 }, height: { ideal: 1080 } } };
    navigator.mediaDevices.getUserMedia(constraints).then(function (s) {
      stream = s;
      video.srcObject = s;
      preview();
      dialog.showModal();
      take.focus();
    }).catch(function () {
      window.alert(failedText);
    });
  }

  function close() {
    stop();
    if (dialog.open) dialog.close();
  }

  take.addEventListener("click", function () {
    var width = video.videoWidth, height = video.videoHeight;
    if (!width || !height) return;
    canvas.width = width; canvas.height = height;
    canvas.getContext("2d").drawImage(video, 0, 0, width, height);
    video.hidden = true; canvas.hidden = false;
    take.hidden = true; use.hidden = false; retake.hidden = false;
    use.focus();
  });

  retake.addEventListener("click", preview);
  cancel.addEventListener("click", close);
  dialog.addEventListener("cancel", stop);

  use.addEventListener("click", function () {
    if (!form) return;
    use.disabled = true;
    status.textContent = savingText;
    canvas.toBlob(function (blob) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      var version = form.querySelector("input[name=version]");
      if (version) data.append("version", version.value);
      data.append("file", blob, "camera.jpg");
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("json") === -1) return { ok: false, body: { title: refusedText } };
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        use.disabled = false;
        if (result.ok && result.body.redirect) {
          close();
          window.location.assign(result.body.redirect);
          return;
        }
        var lines = [result.body.title].concat(result.body.errors || []);
        status.textContent = lines.filter(Boolean).join(" ");
      }).catch(function () {
        use.disabled = false;
        status.textContent = failedText;
      });
    }, "image/jpeg", 0.92);
  });

  var buttons = document.querySelectorAll(".camera-button");
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      open(button.closest("form"), button.getAttribute("data-facing") || "environment");
    });
  });

  // Offer the camera only where there is one (a counter PC often has none).
  function offer() { buttons.forEach(function (button) { button.hidden = false; }); }
  if (!navigator.mediaDevices.enumerateDevices) { offer(); return; }
  navigator.mediaDevices.enumerateDevices().then(function (devices) {
    if (devices.some(function (d) { return d.kind === "videoinput"; })) offer();
  }).catch(offer);
})();
