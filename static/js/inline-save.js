// Inline saving of the inspection page's parts (issue #11): a part's form posts with htmx and the
// server answers the part again. A refused save answers 400/403/409 with the part and its errors
// in Chinese; htmx does not swap error responses by default, so forms marked data-inline-save do.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.closest && elt.closest("[data-inline-save]") && (status === 400 || status === 403 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
