// templates/voting/ballot_bulletin.html: searched in the page only: the receipt is never sent to
// the server next to who is signed in.
(function () {
  var box = document.getElementById("find-receipt");
  if (!box) return;
  box.addEventListener("input", function () {
    var q = box.value.trim().toUpperCase();
    document.querySelectorAll("#bulletin tbody tr").forEach(function (tr) {
      tr.hidden = q !== "" && tr.dataset.receipt.indexOf(q) === -1;
    });
  });
})();
