// The web portal's only script: show the chosen category's own fields, and check the photo's size
// before sending it. Without it the form still works: the server names any missing field.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  if (!form) { return; }
  var category = document.getElementById("category");
  function showFields() {
    document.querySelectorAll("fieldset.custom").forEach(function (fieldset) {
      var chosen = fieldset.getAttribute("data-category") === category.value;
      fieldset.hidden = !chosen;
      fieldset.disabled = !chosen;
    });
  }
  category.addEventListener("change", showFields);
  showFields();

  var photo = document.getElementById("photo");
  var photoError = document.getElementById("photo-error");
  var maxBytes = parseInt(form.getAttribute("data-max-photo"), 10);
  function photoTooLarge() {
    var file = photo.files && photo.files[0];
    var tooLarge = !!file && file.size > maxBytes;
    photoError.hidden = !tooLarge;
    if (tooLarge) { photoError.textContent = "The photo is too large: at most " + Math.round(maxBytes / 1048576) + " MB."; }
    return tooLarge;
  }
  photo.addEventListener("change", photoTooLarge);
  form.addEventListener("submit", function (event) {
    if (photoTooLarge()) { event.preventDefault(); return; }
    document.getElementById("send").disabled = true;  // one request per press
  });
  window.addEventListener("pageshow", function () { document.getElementById("send").disabled = false; });
})();
