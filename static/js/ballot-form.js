// templates/voting/_ballot_form.html: V4 (at most one 同意 per post) and R1 (no more marks than
// the post's vacancies) checked as the voter marks; the server checks again.
(function () {
  var form = document.getElementById("ballot-form");
  var note = document.getElementById("ballot-note");
  if (!form) return;
  function say(text) { note.textContent = text; note.hidden = false; }
  form.addEventListener("change", function (event) {
    var input = event.target;
    note.hidden = true;
    if (input.type === "radio" && input.value === "approve" && input.dataset.post) {
      var approvals = form.querySelectorAll('input[type=radio][value=approve][data-post="' + input.dataset.post + '"]:checked');
      if (approvals.length > 1) { input.checked = false; say(form.dataset.v4); }
    }
    if (input.type === "checkbox" && input.dataset.max) {
      var marked = form.querySelectorAll('input[type=checkbox][name="' + input.name + '"]:checked');
      if (marked.length > Number(input.dataset.max)) { input.checked = false; say(input.closest("fieldset").dataset.maxmsg); }
    }
  });
})();
