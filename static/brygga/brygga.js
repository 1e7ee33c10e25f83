// Brygga's few lines of script. The Content-Security-Policy allows no inline script or handler
// attribute, so behaviour is attached here.

// A button with data-confirm asks before its form is sent.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
  // An open menu ("Settings") closes when the click lands anywhere else.
  document.querySelectorAll(".nav-more details[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// A button with data-print prints the page (the delivery note).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  document.querySelectorAll(".nav-more details[open]").forEach(function (menu) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });
});

// Tables with column headings read as cards on a phone (brygga.css, "table.card-rows"): each cell
// is labelled with its column's heading. Done here, once for every table, so no template repeats
// its headings on every cell; tables htmx swaps in later get the same.
function labelTableCells(root) {
  root.querySelectorAll("table").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) labels.push(cell.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1) cell.setAttribute("data-label", labels[column] || "");
          column += cell.colSpan;
        });
      });
    });
    table.classList.add("card-rows");
  });
}
document.addEventListener("DOMContentLoaded", function () { labelTableCells(document); });
document.addEventListener("htmx:load", function (event) { labelTableCells(event.detail.elt.parentNode || event.detail.elt); });

// An absence's "Length" (hr.forms.AbsenceForm): whole days show the last day and the extent, part
// of a day shows the hours. The other choice's fields are hidden and disabled, so they are not
// posted; without this script all are shown and the server sorts them out.
function showChosenLength(form) {
  var chosen = form.querySelector("[data-length-choice]:checked");
  if (!chosen) return;
  form.querySelectorAll("[data-shown-for]").forEach(function (input) {
    var shown = input.dataset.shownFor === chosen.value;
    var row = input.closest(".form-row") || input;
    row.hidden = !shown;
    input.disabled = !shown;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-length-choice]")) showChosenLength(event.target.form);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-length-choice]")) showChosenLength(form);
  });
});
