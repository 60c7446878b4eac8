/* While the operator types the description on the intake page, ask /api/cases/suggestions/ (after a
   pause in typing) and show the most similar published answers and past cases. Text is put in with
   textContent only: nothing the server returns is read as HTML. */
(function () {
  "use strict";
  var DELAY = 400, MIN_LENGTH = 4;
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }
  ready(function () {
    var box = document.getElementById("knowledge-suggestions");
    var description = document.getElementById("id_description");
    if (!box || !description || !window.fetch) { return; }
    var product = document.getElementById("id_product");
    var articles = box.querySelector(".ks-articles"), cases = box.querySelector(".ks-cases");
    var timer = null, last = "", controller = null;

    function fill(list, items, render) {
      list.replaceChildren();
      if (!items.length) { list.appendChild(el("li", "muted", box.dataset.none)); return; }
      items.forEach(function (item) { list.appendChild(render(item)); });
    }
    function article(a) {
      var li = el("li", "ks-article");
      li.appendChild(el("strong", "", a.title));
      li.appendChild(el("p", "ks-answer", a.answer));
      return li;
    }
    function pastCase(c) {
      var li = el("li", "ks-case");
      var link = el("a", "", c.reference);
      link.href = box.dataset.caseUrl.replace("REF", encodeURIComponent(c.reference));
      link.target = "_blank";
      link.rel = "noopener";
      li.appendChild(link);
      li.appendChild(el("span", "muted", " " + c.category_label + " · " + c.state_label));
      if (c.summary) { li.appendChild(el("p", "ks-answer", c.summary)); }
      return li;
    }
    function ask() {
      var text = description.value.trim();
      var key = text + "\u0000" + (product ? product.value : "");
      if (key === last) { return; }
      last = key;
      if (text.length < MIN_LENGTH) { box.hidden = true; return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var params = new URLSearchParams({ description: text.slice(0, 4000) });
      if (product && product.value) { params.set("product", product.value); }
      fetch(box.dataset.url + "?" + params.toString(), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, signal: controller.signal
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (data) {
        fill(articles, data.articles, article);
        fill(cases, data.cases, pastCase);
        box.hidden = false;
      }).catch(function () { /* suggestions are a help, never in the way of intake */ });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, DELAY); }
    description.addEventListener("input", later);
    if (product) { product.addEventListener("change", later); }
    if (description.value) { later(); }
  });
})();
