// templates/voting/ballot_vote.html: the QR code carries the code in the URL fragment (never sent
// to the server): put it in the box.
(function () {
  var m = /(?:^#|&)code=([^&]+)/.exec(window.location.hash);
  var box = document.getElementById("id_code");
  if (m && box) {
    box.value = decodeURIComponent(m[1]);
    history.replaceState(null, "", window.location.pathname);
  }
})();
