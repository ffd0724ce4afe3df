"""The JavaScript of the family replicas: written for them, and run by Chromium in the tests.

* ``JQUERY``: the few jQuery calls the Hanweb pages make (``$(fn)``, ``$('#id')``,
  ``.each``, ``$.extend``, ``$.fn``): a replica stub, not jQuery;
* ``JPAGE``: Hanweb's ``jpage`` record-list pager: POSTs the page's ``ajaxParam`` form
  fields to ``dataproxy.jsp?startrecord=..&endrecord=..&perpage=..`` (``groupSize`` pages
  per request), reads the ``<datastore>`` XML and writes one page of records and a pager;
* ``column_app``: the 宜春 column shell's script: ``fetch()`` of the JSON list API, then
  ``<ul class="xxgk-list">`` items and a pager (``index.html?page=N``);
* the anti-bot wall bodies: 加速乐's stage-1 cookie script (HTTP 521) and the
  cookie-and-redirect script (C3VK, cf. ``realpages/74_``).
"""

from __future__ import annotations

import json

JQUERY = r"""/*! jQuery-compatible subset for this replica site (not jQuery):
 * $(fn), $('#id'), .each, .html, $.extend, $.fn */
(function (window, document) {
  function Query(nodes) {
    this.length = nodes.length;
    for (var i = 0; i < nodes.length; i++) { this[i] = nodes[i]; }
  }
  function jQuery(selector) {
    if (typeof selector === "function") {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { selector(jQuery); });
      } else {
        setTimeout(function () { selector(jQuery); }, 0);
      }
      return new Query([document]);
    }
    if (typeof selector === "string") {
      var nodes = selector.charAt(0) === "#"
        ? [document.getElementById(selector.slice(1))].filter(Boolean)
        : Array.prototype.slice.call(document.querySelectorAll(selector));
      return new Query(nodes);
    }
    return new Query(selector && selector.nodeType ? [selector] : []);
  }
  jQuery.fn = Query.prototype;
  jQuery.fn.each = function (fn) {
    for (var i = 0; i < this.length; i++) { fn.call(this[i], i, this[i]); }
    return this;
  };
  jQuery.fn.ready = function (fn) { jQuery(fn); return this; };
  jQuery.fn.html = function (html) {
    if (html === undefined) { return this.length ? this[0].innerHTML : undefined; }
    return this.each(function () { this.innerHTML = html; });
  };
  jQuery.fn.attr = function (name, value) {
    if (value === undefined) { return this.length ? this[0].getAttribute(name) : undefined; }
    return this.each(function () { this.setAttribute(name, value); });
  };
  jQuery.extend = function (target) {
    for (var i = 1; i < arguments.length; i++) {
      for (var key in arguments[i]) { target[key] = arguments[i][key]; }
    }
    return target;
  };
  window.jQuery = window.$ = jQuery;
})(window, document);
"""

JPAGE = r"""/* jpage: the record-list pager of Hanweb columns (replica of the behaviour) */
(function ($) {
  function encodeForm(params) {
    var out = [];
    for (var key in params) {
      out.push(encodeURIComponent(key) + "=" + encodeURIComponent(params[key]));
    }
    return out.join("&");
  }
  function pageFromUrl(unitid) {
    var m = new RegExp("[?&]uid=" + unitid + "&pageNum=(\\d+)").exec(location.search);
    return m ? parseInt(m[1], 10) : 1;
  }
  $.fn.jpage = function (options) {
    var o = $.extend({
      dataStore: null, dataBefore: "", dataAfter: "", perPage: 15, groupSize: 3,
      proxyUrl: "/module/web/jpage/dataproxy.jsp", ajaxParam: {}, showMode: "full",
      barPosition: "bottom"
    }, options);
    return this.each(function () {
      var box = this, records = [], first = 0, total = 0;
      var unitid = o.ajaxParam.unitid || box.id;
      function pager(page, pages) {
        function link(label, target) {
          if (target < 1 || target > pages || target === page) {
            return '<span class="default_pgBtn disabled">' + label + "</span>";
          }
          return '<a class="default_pgBtn" href="?uid=' + unitid + "&pageNum=" + target +
            '" data-page="' + target + '">' + label + "</a>";
        }
        return '<div class="default_pgContainer"><span class="default_pgTotalRecord">共' + total +
          "条记录</span>" + link("首页", 1) + link("上页", page - 1) +
          '<span class="default_pgCurrentPage">' + page + "/" + pages + "</span>" +
          link("下页", page + 1) + link("尾页", pages) + "</div>";
      }
      function show(page) {
        var pages = Math.max(1, Math.ceil(total / o.perPage));
        var from = (page - 1) * o.perPage - first;
        box.innerHTML = o.dataBefore + records.slice(from, from + o.perPage).join("") +
          o.dataAfter + pager(page, pages);
        var anchors = box.querySelectorAll("a[data-page]");
        for (var i = 0; i < anchors.length; i++) {
          anchors[i].onclick = function (event) {
            event.preventDefault();
            load(parseInt(this.getAttribute("data-page"), 10));
          };
        }
      }
      function load(page) {
        var group = o.perPage * o.groupSize;
        var start = Math.floor((page - 1) * o.perPage / group) * group + 1;
        if (records.length && start === first + 1) { show(page); return; }
        var url = o.proxyUrl + "?startrecord=" + start + "&endrecord=" + (start + group - 1) +
          "&perpage=" + o.perPage;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", url, true);
        xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        xhr.onreadystatechange = function () {
          if (xhr.readyState !== 4) { return; }
          if (xhr.status !== 200) {
            box.innerHTML = '<p class="jpage-error">数据加载失败</p>';
            return;
          }
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/xml");
          var nodes = doc.getElementsByTagName("record");
          records = [];
          for (var i = 0; i < nodes.length; i++) { records.push(nodes[i].textContent); }
          var t = doc.getElementsByTagName("totalrecord")[0];
          total = t ? parseInt(t.textContent, 10) : records.length;
          first = start - 1;
          show(page);
        };
        xhr.send(encodeForm(o.ajaxParam));
      }
      load(pageFromUrl(unitid));
    });
  };
})(jQuery);
"""


def column_app(api: str, column_id: str, page_size: int) -> str:
    """The inline script of a script-rendered column shell (宜春)."""
    return (
        r"""
(function () {
  var api = __API__, columnId = __COLUMN__, pageSize = __SIZE__;
  var app = document.getElementById("app");
  var m = /[?&]page=(\d+)/.exec(location.search);
  var page = m ? parseInt(m[1], 10) : 1;
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  function pager(pages) {
    var out = ['<div class="xxgk-page">'];
    function link(label, target) {
      if (target < 1 || target > pages || target === page) {
        out.push('<span class="disabled">' + label + "</span>");
      } else {
        out.push('<a href="index.html?page=' + target + '">' + label + "</a>");
      }
    }
    link("首页", 1);
    link("上一页", page - 1);
    for (var i = 1; i <= pages; i++) {
      out.push(i === page ? '<span class="current">' + i + "</span>"
        : '<a href="index.html?page=' + i + '">' + i + "</a>");
    }
    link("下一页", page + 1);
    link("尾页", pages);
    out.push("<span>共" + pages + "页</span></div>");
    return out.join("");
  }
  fetch(api + "?columnId=" + encodeURIComponent(columnId) + "&page=" + page,
        {headers: {"Accept": "application/json"}, credentials: "same-origin"})
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (data) {
      var html = ['<ul class="xxgk-list">'];
      data.list.forEach(function (item) {
        html.push('<li><a href="' + esc(item.url) + '" target="_blank" title="' + esc(item.title) +
          '">' + esc(item.title) + '</a><span class="date">' + esc(item.publishTime) +
          "</span></li>");
      });
      html.push("</ul>");
      html.push(pager(Math.max(1, Math.ceil(data.total / (data.pageSize || pageSize)))));
      app.innerHTML = html.join("");
    })
    .catch(function () {
      app.innerHTML = '<p class="xxgk-empty">数据加载失败，请刷新重试。</p>';
    });
})();
""".replace("__API__", json.dumps(api))
        .replace("__COLUMN__", json.dumps(column_id))
        .replace("__SIZE__", str(page_size))
    )


# --- anti-bot walls -------------------------------------------------------------------

JSL_COOKIE = "__jsl_clearance_s"
JSL_VALUE = "1705901234.567|0|Xq3nOq7nZ8%2FqXVw5s0Rz4uGc5bA%3D"
JSLUID = "__jsluid_s=6b1e8a4f2c7d93e05a1b8c4d2e6f7a90; max-age=31536000; path=/; HttpOnly"
C3VK_COOKIE = "C3VK"
C3VK_VALUE = "e9cf61"


def jsl_challenge() -> str:
    """加速乐 stage 1 (HTTP 521): set the clearance cookie by script, then reload."""
    return (
        "<script>document.cookie=('_')+('_')+('jsl_clear')+('ance_s=')+((+new Date(1705901234567)"
        "/1000).toFixed(3))+('|0|')+('Xq3nOq7nZ8')+('%2FqXVw5s0R')+('z4uGc5bA%3D')"
        "+(';max-age=3600;path=/');location.href=location.pathname+location.search</script>"
    )


def c3vk_challenge(target: str) -> str:
    """A cookie-and-redirect script (HTTP 200): set C3VK, then replace the location."""
    return (
        '<script>var _$daewqwskl=["\\x64\\x6f\\x63\\x75\\x6d\\x65\\x6e\\x74"];'
        'var _$oopopdwskl=["\\x6f\\x6e\\x4d\\x6f\\x75\\x73\\x65\\x4d\\x6f\\x76\\x65",'
        '"\\x62\\x6f\\x64\\x79"];window[_$daewqwskl[0]].cookie="'
        f'{C3VK_COOKIE}={C3VK_VALUE}; path=/; max-age=300;";'
        f"window.location.replace({json.dumps(target)});</script>"
    )
