// Brygga's few lines of script. The Content-Security-Policy allows no inline script or handler
// attribute, so behaviour is attached here.

// A button with data-confirm asks before its form is sent.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// A button with data-print prints the page (the delivery note).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
