/* The registration form, made easier where JavaScript runs: only the blocks of the chosen category show (the
   others are disabled, so their inputs are not sent), the communes of the chosen province are fetched, that
   province's offices come first, the optional markers follow the choices, a name without diacritics gets a gentle
   word, photos are previewed and made smaller before sending (a phone's 9 MB photo becomes about 1 MB; the server
   still checks every photo), and the form is sent once. Without this file the form still works: every block shows,
   the server ignores the other category's inputs and takes the photos as they are. */
(function () {
  "use strict";
  var form = document.getElementById("registration-form");
  if (!form) { return; }
  var text = form.dataset;

  /* Category blocks */
  function category() {
    var checked = form.querySelector('input[name="category"]:checked');
    return checked ? checked.value : "";
  }
  function showCategory() {
    var chosen = category();
    form.querySelectorAll("[data-category]").forEach(function (block) {
      var on = !chosen || block.getAttribute("data-category") === chosen;
      block.hidden = !on;
      if (block.tagName === "FIELDSET") { block.disabled = !on; }
    });
  }
  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", showCategory);
  });
  showCategory();

  /* The child's own agreement is asked from age 7 (intake.py holds the rule): hidden for a younger child */
  var childConsent = form.querySelector("[data-child-consent]");
  var birthDate = form.querySelector('[name="date_of_birth"]');
  function childConsentShown() {
    if (!childConsent || !birthDate) { return; }
    var born = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate.value);
    var young = false;
    if (born) {
      var now = new Date();
      var age = now.getFullYear() - Number(born[1]);
      if (now.getMonth() + 1 < Number(born[2]) || (now.getMonth() + 1 === Number(born[2]) && now.getDate() < Number(born[3]))) { age -= 1; }
      young = age < Number(childConsent.getAttribute("data-child-consent"));
    }
    childConsent.hidden = childConsent.disabled || young;
  }
  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", childConsentShown);
  });
  if (birthDate) { birthDate.addEventListener("change", childConsentShown); }
  childConsentShown();

  /* The personal ID may be left out for a child or with a 9-digit CMND or a passport (the insurance number given
     instead); with a CCCD it is required: its marker says so (registrations/forms.py holds the same rule). */
  var pidMarker = form.querySelector('label[for="f-personal-id"] [data-optional-marker]');
  var idTypeSelect = form.querySelector('[name="id_document.type"]');
  function personalIdMarker() {
    if (!pidMarker) { return; }
    var type = idTypeSelect ? idTypeSelect.value : "";
    pidMarker.hidden = !(category() === "minor_without_id_card" || type === "cmnd9" || type === "passport");
  }
  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", personalIdMarker);
  });
  if (idTypeSelect) { idTypeSelect.addEventListener("change", personalIdMarker); }
  personalIdMarker();

  /* A Vietnamese name typed without its marks: a gentle word, never a refusal */
  var nameInput = form.querySelector('[name="full_name"]');
  var nameWarning = document.getElementById("f-full-name-warning");
  var nationality = form.querySelector('[name="nationality"]');
  function plainName() {
    if (!nameInput || !nameWarning) { return; }
    var letters = nameInput.value.replace(/[^\p{L}]/gu, "");
    var plain = letters.length >= 4 && /^[A-Za-z]+$/.test(letters);
    nameWarning.hidden = !(plain && (!nationality || nationality.value === "VN"));
  }
  if (nameInput && nameWarning) {
    nameInput.addEventListener("blur", plainName);
    nameInput.addEventListener("input", function () { if (!nameWarning.hidden) { plainName(); } });
    if (nationality) { nationality.addEventListener("change", plainName); }
  }

  /* Province -> communes, and the offices of the province first */
  var province = form.querySelector("[data-province-select]");
  var ward = form.querySelector("[data-ward-select]");
  var office = form.querySelector("[data-office-select]");
  var officeChosen = Boolean(office && office.value);
  var pending = null;

  function fill(select, placeholder, items, selected) {
    select.textContent = "";
    select.add(new Option(placeholder, ""));
    items.forEach(function (item) {
      var option = new Option(item.name, item.code);
      option.selected = item.code === selected;
      select.add(option);
    });
  }

  function loadWards() {
    var code = province.value;
    var keep = ward.value;
    if (!code) { fill(ward, text.msgChooseProvince, [], ""); return; }
    var request = {};
    pending = request;
    fill(ward, text.msgLoading, [], "");
    ward.disabled = true;
    ward.setAttribute("aria-busy", "true");
    fetch(text.wardsUrl.replace("{code}", encodeURIComponent(code)), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (items) {
      if (pending !== request) { return; }
      fill(ward, text.msgChooseWard, items, keep);
    }).catch(function () {
      if (pending !== request) { return; }
      fill(ward, text.msgLoadFailed, [], "");
    }).then(function () {
      if (pending !== request) { return; }
      ward.disabled = false;
      ward.removeAttribute("aria-busy");
    });
  }

  function officesFirst() {
    if (!office || !province.value) { return; }
    var group = null;
    office.querySelectorAll("optgroup").forEach(function (candidate) {
      if (candidate.getAttribute("data-province") === province.value) { group = candidate; }
    });
    if (!group) { return; }
    office.insertBefore(group, office.querySelector("optgroup"));
    if (!officeChosen) {
      var first = group.querySelector("option");
      if (first) { office.value = first.value; }
    }
  }

  if (province && ward) {
    province.addEventListener("change", function () { loadWards(); officesFirst(); });
    if (province.value && ward.options.length <= 1) { loadWards(); }  // a province restored by the browser
  }
  if (office) {
    office.addEventListener("change", function () { officeChosen = true; });
  }

  /* A CCCD's number is the personal ID number: copy it until the person types another */
  var personalId = form.querySelector('[name="personal_id"]');
  var idType = form.querySelector('[name="id_document.type"]');
  var idNumber = form.querySelector('[name="id_document.number"]');
  if (personalId && idType && idNumber) {
    var copying = !idNumber.value;
    var copy = function () {
      if (copying && (idType.value === "cccd" || idType.value === "cmnd12")) { idNumber.value = personalId.value.trim(); }
    };
    idNumber.addEventListener("input", function () { copying = false; });
    personalId.addEventListener("input", copy);
    idType.addEventListener("change", copy);
  }

  /* Photos made smaller before sending: drawn on a canvas and saved as JPEG, the long side at most 2400 px (what
     the server keeps anyway). A photo already small enough, a HEIC the browser cannot draw, or any failure: the
     original is sent, and the server's checks are the same either way. */
  var MAX_SIDE = 2400;
  var KEEP_BYTES = 2500000;
  var shrinking = 0;
  var sendWhenReady = false;
  function shrinkDone() {
    shrinking -= 1;
    if (!shrinking && sendWhenReady) {
      sendWhenReady = false;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }
  }
  function shrink(input) {
    var file = input.files && input.files[0];
    if (!file || !window.createImageBitmap || !window.DataTransfer || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return;
    }
    shrinking += 1;
    input.setAttribute("data-shrinking", "true");
    createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size <= KEEP_BYTES) { return null; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.9); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size || !input.files || input.files[0] !== file) { return; }
      var smaller = new DataTransfer();
      smaller.items.add(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg",
                                 { type: "image/jpeg", lastModified: Date.now() }));
      input.files = smaller.files;
    }).catch(function () { /* the original is sent */ }).then(function () {
      input.removeAttribute("data-shrinking");
      shrinkDone();
    });
  }
  form.querySelectorAll('input[type="file"]').forEach(function (input) {
    input.addEventListener("change", function () { shrink(input); });
  });
  form.addEventListener("submit", function (event) {
    if (!shrinking) { return; }
    event.preventDefault();  // sent as soon as the photos are ready
    event.stopImmediatePropagation();
    sendWhenReady = true;
  });

  /* Photo previews */
  form.querySelectorAll('input[type="file"]').forEach(function (input) {
    var preview = input.parentNode.querySelector(".photo__preview");
    if (!preview) { return; }
    preview.addEventListener("error", function () { preview.hidden = true; });
    input.addEventListener("change", function () {
      if (preview.src) { URL.revokeObjectURL(preview.src); preview.removeAttribute("src"); }
      var file = input.files && input.files[0];
      preview.hidden = !file;
      if (file) { preview.src = URL.createObjectURL(file); }
    });
  });

  /* Send once (the server also answers a repeated form with the first dossier) */
  var sending = false;
  var button = form.querySelector("[data-submit]");
  var label = button ? button.textContent : "";
  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    sending = true;
    if (button) {
      button.textContent = text.msgSending;
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    }
  });
  window.addEventListener("pageshow", function () {
    sending = false;
    if (button) {
      button.textContent = label;
      button.removeAttribute("aria-disabled");
      button.classList.remove("is-busy");
    }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
