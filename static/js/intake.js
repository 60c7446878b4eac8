/* The postal-code lookup's answer, applied safely at typing speed (intake and consumer pages).
 *
 * A postal-code input carries data-postal-lookup="<id of its address input>"; htmx asks the server
 * (hx-get) and swaps the answer into the line under it. Here, in the browser, which alone knows what
 * the fields hold when the answer arrives:
 *  - an answer for a code that is no longer in the field is dropped (not shown, nothing filled);
 *  - the prefecture, city and town go into the address field only when it is empty or still holds
 *    exactly what an earlier lookup put there; text the operator typed is never touched, wherever
 *    the cursor is and however late the answer comes (the server puts the area in front of an
 *    address typed without it when the case is saved);
 *  - otherwise a button offers to put the area in front of what was typed.
 */
(function () {
  "use strict";

  function digits(text) {
    return (text || "").normalize("NFKC").replace(/[^0-9]/g, "");
  }

  function postalInputFor(result) {
    return document.querySelector('[data-postal-lookup][hx-target="#' + result.id + '"]');
  }

  function addressFor(input) {
    return document.getElementById(input.getAttribute("data-postal-lookup"));
  }

  // Before htmx swaps an answer in: drop it when the code it answers is not the one in the field now.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var result = event.detail.target;
    if (!result || !result.classList || !result.classList.contains("postal-result")) return;
    var input = postalInputFor(result);
    if (!input) return;
    // The answer names the code it is for (data-postal-code); an empty answer is for an empty field.
    var named = /data-postal-code="([0-9]*)"/.exec(event.detail.xhr ? event.detail.xhr.responseText : "");
    var asked = named ? named[1] : "";
    if (asked !== digits(input.value)) event.detail.shouldSwap = false;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var result = event.detail.target;
    if (!result || !result.classList || !result.classList.contains("postal-result")) return;
    var input = postalInputFor(result);
    var found = result.querySelector("[data-area]");
    if (!input || !found) return;
    var address = addressFor(input);
    var area = found.getAttribute("data-area");
    if (!address || !area || found.getAttribute("data-postal-code") !== digits(input.value)) return;
    var filled = address.getAttribute("data-filled") || "";
    if (address.value === "" || address.value === filled) {
      address.value = area;
      address.setAttribute("data-filled", area);
      if (document.activeElement === address) address.setSelectionRange(area.length, area.length);
    } else if (address.value.indexOf(area) !== 0) {
      found.querySelectorAll(".postal-use, .postal-hint").forEach(function (el) { el.hidden = false; });
    }
  });

  // "Put this in front of the address": the operator asked, so the area goes before what they typed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".postal-use");
    if (!button) return;
    var result = button.closest(".postal-result");
    var input = result && postalInputFor(result);
    var address = input && addressFor(input);
    var area = button.closest("[data-area]").getAttribute("data-area");
    if (!address) return;
    var filled = address.getAttribute("data-filled") || "";
    var rest = filled && address.value.indexOf(filled) === 0 ? address.value.slice(filled.length) : address.value;
    address.value = area + rest;
    address.setAttribute("data-filled", area);
    button.closest("[data-area]").querySelectorAll(".postal-use, .postal-hint").forEach(function (el) {
      el.hidden = true;
    });
    address.focus();
    address.setSelectionRange(address.value.length, address.value.length);
  });
})();

/* A repeat caller: the list of their earlier cases (htmx, #duplicates) is refreshed while the
 * operator types the phone, name or postal code; nothing here but the markup's hx-trigger. */
