/* A "copy" button for the dossier number, shown only where the clipboard can be written. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
}());
