// Behaviour that used to be inline handlers (the Content-Security-Policy forbids inline script):
//   <select data-submit-on-change>           submits its form when changed (the language switch)
//   <form data-confirm="…">                   asks before submitting
//   <input type="checkbox" data-check-all="name">  checks or unchecks every input[name=name]
//   <a data-history-back href="…">            goes back in history (href is the fallback)
(function () {
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-submit-on-change]") && el.form) el.form.submit();
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (!el.closest) return;
    var all = el.closest("input[data-check-all]");
    if (all) {
      document.querySelectorAll('input[name="' + all.dataset.checkAll + '"]').forEach(function (c) {
        c.checked = all.checked;
      });
      return;
    }
    var back = el.closest("a[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
