/* Search suggestions as you type, for every input with data-suggest="<endpoint>".
 *
 * The WAI-ARIA 1.2 combobox pattern: the input is a combobox that owns a listbox
 * of aircraft; Arrow Down/Up move through the options, Enter opens the one
 * chosen, Escape closes the list (a second one is the search box's own: it
 * clears the input), and a live
 * region says how many suggestions there are. Requests wait for a pause in
 * typing (debounced) and a newer request cancels an older one. Without
 * JavaScript the form is a plain GET form, and still works.
 * A static file (the Content Security Policy allows no inline script); it sets
 * classes and the hidden attribute only, never inline styles.
 */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var MIN_LENGTH = 2;
  var counter = 0;

  function enhance(input) {
    var endpoint = input.getAttribute("data-suggest");
    var id = input.id || "suggest-input-" + ++counter;
    var listId = id + "-suggestions";
    var wrapper = document.createElement("div");
    wrapper.className = "suggest";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggest__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggested aircraft");
    list.hidden = true;
    wrapper.appendChild(list);

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;
    var lastQuery = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("suggest__option--active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(text, detail, url, index) {
      var item = document.createElement("li");
      item.id = listId + "-" + index;
      item.className = "suggest__option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-url", url);
      var label = document.createElement("span");
      label.className = "suggest__label";
      label.textContent = text;
      item.appendChild(label);
      if (detail) {
        var more = document.createElement("span");
        more.className = "suggest__detail";
        more.textContent = detail;
        item.appendChild(more);
      }
      // mousedown, not click: it comes before the input's blur closes the list.
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(url);
      });
      return item;
    }

    function show(data) {
      list.textContent = "";
      options = [];
      data.results.forEach(function (plane, i) {
        options.push(option(plane.designation + (plane.name ? " " + plane.name : ""), plane.manufacturer, plane.url, i));
      });
      var all = option(
        data.results.length ? "All results for “" + data.query + "”" : "Search for “" + data.query + "”",
        data.corrected ? "showing “" + data.corrected + "”" : "",
        data.search_url,
        options.length
      );
      all.classList.add("suggest__option--all");
      options.push(all);
      options.forEach(function (item) {
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      var count = data.results.length;
      status.textContent = count
        ? count + " suggestion" + (count === 1 ? "" : "s") + (data.corrected ? " for “" + data.corrected + "”" : "") + ". Use the arrow keys to choose."
        : "No suggestions.";
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        close();
        lastQuery = "";
        return;
      }
      if (query === lastQuery && !list.hidden) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
      }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch(endpoint + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data && input.value.trim() === query && document.activeElement === input) {
            show(data);
          }
        })
        .catch(function () {
          /* aborted or offline: the plain form still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (list.hidden) {
          fetchSuggestions();
          return;
        }
        event.preventDefault();
        highlight(active + 1 < options.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        if (list.hidden) {
          return;
        }
        event.preventDefault();
        highlight(active > 0 ? active - 1 : options.length - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          window.location.assign(options[active].getAttribute("data-url"));
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
