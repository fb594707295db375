/* The registration form, made easier where JavaScript runs: only the blocks of the chosen category show (the
   others are disabled, so their inputs are not sent), the communes of the chosen province are fetched, that
   province's offices come first, photos are previewed, and the form is sent once. Without this file the form
   still works: every block shows and the server ignores the other category's inputs. */
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
