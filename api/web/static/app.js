/* FieldBank's browser islands: htmx set-up, conditional fields, camera capture with downscaling and
   immediate upload, the signature pad, the long-poll retry, and the customer hand-over lock.
   Everything else is server-rendered; the server stays the authority for every rule. */
(function () {
  "use strict";
  var MAX_EDGE = 1280, JPEG_QUALITY = 0.85, pending = 0;

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  }
  function toast(text) {
    var t = document.getElementById("toast");
    if (!t) return;
    t.textContent = text; t.hidden = false;
    clearTimeout(t._timer); t._timer = setTimeout(function () { t.hidden = true; }, 4000);
  }

  /* ---- htmx: CSRF header, 422 fragments swapped, no page snapshots (personal data) in localStorage */
  htmx.config.historyCacheSize = 0;
  htmx.config.refreshOnHistoryMiss = true;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: true, error: true }
  ];
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrf();
    if (pending > 0 && e.detail.verb === "post") { e.preventDefault(); toast("照片或签名正在上传，请稍候"); }
  });
  document.addEventListener("htmx:sendError", function (e) {
    var el = e.detail.elt;
    if (el && el.classList && el.classList.contains("waiting")) {
      setTimeout(function () { htmx.trigger(el, "retry"); }, 2000);
    } else {
      toast("网络不稳定，请重试");
    }
  });
  /* after a 422's out-of-band error texts: mark exactly the fields that have one as invalid */
  function markInvalid() {
    document.querySelectorAll("p.error[id^='err-']").forEach(function (p) {
      var wrap = p.closest(".field, .field-hidden");
      if (!wrap) return;
      wrap.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (el) {
        if (p.textContent.trim()) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
      });
    });
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    init(document);
    markInvalid();
    document.querySelectorAll("form[data-one-at-a-time]").forEach(function (f) { if (f._fbShowError) f._fbShowError(); });
    var summary = document.getElementById("form-errors");
    if (e.detail.xhr && e.detail.xhr.status === 422 && summary) { summary.focus(); return; }
    var h = document.querySelector("#content h1");
    if (h && e.detail.target && e.detail.target.id === "main") { window.scrollTo(0, 0); }
  });

  /* ---- conditional fields: data-show-when='{"field":..,"values":[..],"negate":bool}' */
  function fieldValue(form, name) {
    var els = form.querySelectorAll('[name="' + name + '"]'), i, el;
    for (i = 0; i < els.length; i++) {
      el = els[i];
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      if (el.type === "checkbox") return el.checked ? "true" : "false";
      return el.value;
    }
    return "";
  }
  function applyShowWhen(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (wrap) {
      var rule = JSON.parse(wrap.getAttribute("data-show-when"));
      var match = rule.values.map(String).indexOf(fieldValue(form, rule.field)) >= 0;
      var show = rule.negate ? !match : match;
      wrap.hidden = !show;
      /* a hidden field is not submitted; only what we disabled is enabled again (read-only choices stay) */
      wrap.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!show && !el.disabled) { el.disabled = true; el.setAttribute("data-fb-hidden", ""); }
        else if (show && el.hasAttribute("data-fb-hidden")) { el.disabled = false; el.removeAttribute("data-fb-hidden"); }
      });
    });
  }

  /* ---- uploads: retried on a weak network, the submit waits for them */
  function upload(blob, name, status, fields) {
    var attempt = 0;
    pending++;
    status.textContent = "正在上传…";
    function send() {
      var body = new FormData();
      body.append("file", blob, name);
      Object.keys(fields || {}).forEach(function (k) { body.append(k, fields[k]); });
      return fetch("/media/attachments", {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" }
      }).then(function (r) {
        return r.json().then(function (json) {
          if (!r.ok) { var e = new Error((json.details && json.details[0] && json.details[0].message) || json.message); e.final = true; throw e; }
          return json;
        });
      }).catch(function (err) {
        if (err.final || ++attempt >= 4) throw err;
        status.textContent = "网络不稳定，正在重试（" + attempt + "）…";
        return new Promise(function (res) { setTimeout(res, 1000 * Math.pow(2, attempt - 1)); }).then(send);
      });
    }
    return send().then(function (json) {
      pending--; status.textContent = "已上传"; return json;
    }, function (err) {
      pending--; status.textContent = "上传失败：" + (err.message || "请重试"); throw err;
    });
  }
  function downscale(file) {
    return createImageBitmap(file).then(function (img) {
      var scale = Math.min(1, MAX_EDGE / Math.max(img.width, img.height));
      var c = document.createElement("canvas");
      c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      /* re-encoding also drops EXIF (GPS, device serials) */
      return new Promise(function (res) { c.toBlob(res, "image/jpeg", JPEG_QUALITY); });
    });
  }
  /* ---- the tablet's position for a watermarked photo (§7.1). The server stamps its own time; without a
     fix within ~5 s (refused, indoors, no GPS) the photo goes up without one and says 位置不可用. */
  var LOCATE_MS = 5000, MAX_ACCURACY_M = 10000;
  function locate(status) {
    if (!navigator.geolocation) return Promise.resolve(null);
    pending++;  /* the form waits for the position like it waits for the upload */
    status.textContent = "正在定位…";
    return new Promise(function (res) {
      var done = false;
      /* the API's timeout does not run while the permission prompt is open: ours does */
      var timer = setTimeout(function () { finish(null); }, LOCATE_MS + 500);
      function finish(where) { if (!done) { done = true; clearTimeout(timer); pending--; res(where); } }
      navigator.geolocation.getCurrentPosition(function (p) {
        var c = p.coords;
        /* a fix coarser than the server accepts (a network guess) is no position worth stamping */
        finish(c.accuracy <= MAX_ACCURACY_M ? {
          lat: c.latitude.toFixed(6), lon: c.longitude.toFixed(6), accuracy_m: c.accuracy.toFixed(1)
        } : null);
      }, function () { finish(null); }, { enableHighAccuracy: true, timeout: LOCATE_MS, maximumAge: 30000 });
    });
  }
  function initCamera(box) {
    var input = box.querySelector("[data-camera-input]"), value = box.querySelector("[data-attachment-value]");
    var preview = box.querySelector("[data-preview]"), status = box.querySelector("[data-upload-status]");
    var watermark = box.hasAttribute("data-watermark");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      downscale(file).then(function (blob) {
        if (!watermark) {
          preview.src = URL.createObjectURL(blob);
          return upload(blob, "photo.jpg", status);
        }
        preview.removeAttribute("src");
        return locate(status).then(function (where) {
          var fields = { watermark: "true" };
          if (where) { fields.lat = where.lat; fields.lon = where.lon; fields.accuracy_m = where.accuracy_m; }
          return upload(blob, "photo.jpg", status, fields);
        });
      }).then(function (json) {
        if (watermark) preview.src = json.url;  /* the stamped image as stored, not the raw capture */
        value.value = json.attachment_id;
        input.value = "";  /* the photo itself never rides along with the form */
      }).catch(function () { value.value = ""; });
    });
  }

  /* a 双录 recording goes up as recorded (MP4); the server reads its length and refuses one without sound */
  function initRecording(box) {
    var input = box.querySelector("[data-recording-input]"), value = box.querySelector("[data-attachment-value]");
    var preview = box.querySelector("[data-preview]"), status = box.querySelector("[data-upload-status]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      preview.src = URL.createObjectURL(file);
      upload(file, "recording.mp4", status).then(function (json) {
        value.value = json.attachment_id;
        input.value = "";
      }).catch(function () { value.value = ""; });
    });
  }

  /* ---- dates typed as YYYY-MM-DD: digits only, the dashes go in by themselves */
  function initDate(input) {
    input.addEventListener("input", function () {
      var d = input.value.replace(/\D/g, "").slice(0, 8);
      input.value = d.length > 6 ? d.slice(0, 4) + "-" + d.slice(4, 6) + "-" + d.slice(6)
        : d.length > 4 ? d.slice(0, 4) + "-" + d.slice(4) : d;
    });
  }

  /* ---- region widget: province → city → county by name; each choice refills the next select from
     /regions/{code} and empties the ones after it (the server checks the codes again) */
  function initRegion(box) {
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-region-level]"));
    selects.forEach(function (sel, i) {
      sel.addEventListener("change", function () {
        selects.slice(i + 1).forEach(function (next) {
          next.innerHTML = '<option value="">请选择</option>'; next.value = "";
        });
        var next = selects[i + 1];
        if (!next || !sel.value) return;
        var asked = sel.value;
        fetch("/regions/" + encodeURIComponent(asked), { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
          .then(function (rows) {
            if (sel.value !== asked) return;  /* a later choice overtook this answer */
            rows.forEach(function (row) {
              var o = document.createElement("option"); o.value = row[0]; o.textContent = row[1];
              next.appendChild(o);
            });
            if (rows.length === 1) { next.value = rows[0][0]; next.dispatchEvent(new Event("change", { bubbles: true })); }
            next.setAttribute("data-loaded", asked);
          })
          .catch(function () { toast("行政区划加载失败，请重试"); });
      });
    });
  }

  /* ---- OTP resend: the button shows once the server's wait (60 s from this screen) is up; it sends the
     form with otp_resend=true, and the server refuses it if asked too soon */
  function initResend(button) {
    var form = button.closest("form"), left = Number(button.getAttribute("data-resend-after")) || 60;
    var countdown = form.querySelector("[data-otp-countdown]");
    function tick() {
      if (left <= 0) { button.hidden = false; if (countdown) countdown.textContent = ""; return; }
      if (countdown) countdown.textContent = left + " 秒后可重新发送";
      left -= 1; setTimeout(tick, 1000);
    }
    tick();
    button.addEventListener("click", function () {
      var flag = form.querySelector('[name="otp_resend"]');
      if (flag) flag.value = "true";
      form.requestSubmit();
      if (flag) flag.value = "false";
    });
  }

  /* ---- signature pad, loaded only on the screens that have one */
  var padScript = null;
  function loadPad() {
    if (window.SignaturePad) return Promise.resolve();
    if (!padScript) {
      padScript = new Promise(function (res, rej) {
        var s = document.createElement("script"), m = document.querySelector('meta[name="fb-signature-pad"]');
        s.src = m.content; s.onload = res; s.onerror = rej; document.head.appendChild(s);
      });
    }
    return padScript;
  }
  function initSignature(box) {
    var canvas = box.querySelector("[data-signature-canvas]"), value = box.querySelector("[data-attachment-value]");
    var status = box.querySelector("[data-upload-status]"), timer = null;
    loadPad().then(function () {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      canvas.width = canvas.offsetWidth * ratio; canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      var pad = new window.SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: "#111" });
      box._pad = pad;
      pad.addEventListener("endStroke", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          canvas.toBlob(function (blob) {
            upload(blob, "signature.png", status).then(function (json) { value.value = json.attachment_id; },
              function () { value.value = ""; });
          }, "image/png");
        }, 700);
      });
      box.querySelector("[data-signature-clear]").addEventListener("click", function () {
        clearTimeout(timer); pad.clear(); value.value = ""; status.textContent = "";
      });
      box.setAttribute("data-ready", "true");
    });
  }

  /* ---- sandbox ID-card reader: fills the read-only chip fields and uploads a chip photo */
  function initReader(box) {
    var cards = JSON.parse(box.getAttribute("data-reader")), status = box.querySelector("[data-upload-status]");
    box.querySelector("[data-reader-read]").addEventListener("click", function () {
      var card = cards[Number(box.querySelector("[data-reader-person]").value)], form = document.querySelector("form.task-form");
      Object.keys(card.fields).forEach(function (name) {
        var value = card.fields[name];
        form.querySelectorAll('[name="' + name + '"]').forEach(function (el) { el.value = value; });
        /* a read-only choice shows its name; the hidden input above carries the code */
        form.querySelectorAll('[data-choice-of="' + name + '"]').forEach(function (el) {
          el.value = JSON.parse(el.getAttribute("data-choice-labels"))[value] || value;
        });
      });
      var c = document.createElement("canvas");
      c.width = 102; c.height = 126;
      var g = c.getContext("2d");
      g.fillStyle = "#dfe6ee"; g.fillRect(0, 0, 102, 126);
      g.fillStyle = "#556"; g.fillRect(31, 20, 40, 48); g.fillRect(16, 78, 70, 48);
      c.toBlob(function (blob) {
        upload(blob, "chip.png", status).then(function (json) {
          var photo = form.querySelector('[name="' + (card.photo || "chip_photo") + '"]');
          if (photo) photo.value = json.attachment_id;
          box.setAttribute("data-read", "true");
          status.textContent = "已读取芯片信息";
        });
      }, "image/png");
    });
  }

  /* ---- one question at a time (form[data-one-at-a-time]): each div[data-step] in turn, back / next,
     "第 n 题 / 共 m 题", and the milliseconds each step was on screen (summed over visits) written to
     input[name="<data-timings>.<field>"] for the server, which refuses a submission without them */
  function initSteps(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
    var submit = form.querySelector('button[type="submit"]');
    if (!steps.length || !submit) return;
    var timings = form.getAttribute("data-timings") || "";
    var spent = steps.map(function () { return 0; }), at = 0, since = Date.now();
    var progress = document.createElement("p");
    progress.className = "step-progress"; progress.setAttribute("data-step-progress", "");
    progress.setAttribute("aria-live", "polite");
    var nav = document.createElement("div"); nav.className = "step-nav";
    var back = document.createElement("button"), next = document.createElement("button");
    back.type = next.type = "button";
    back.className = "secondary"; back.textContent = "上一题"; back.setAttribute("data-step-back", "");
    next.className = "primary"; next.textContent = "下一题"; next.setAttribute("data-step-next", "");
    nav.appendChild(back); nav.appendChild(next);
    steps[0].parentNode.insertBefore(progress, steps[0]);
    submit.parentNode.insertBefore(nav, submit);
    nav.appendChild(submit);
    function record() {
      var now = Date.now();
      spent[at] += now - since; since = now;
      var input = timings && form.querySelector('input[name="' + timings + "." + steps[at].getAttribute("data-field") + '"]');
      if (input) input.value = String(Math.round(spent[at]));
    }
    function show(i) {
      at = i; since = Date.now();
      steps.forEach(function (s, j) { s.classList.toggle("step-away", j !== i); });
      progress.textContent = "第 " + (i + 1) + " 题 / 共 " + steps.length + " 题";
      back.hidden = i === 0;
      next.hidden = i === steps.length - 1;
      submit.hidden = i !== steps.length - 1;
    }
    function unanswered(step) {
      var required = step.querySelectorAll("input[required]:not([disabled]), select[required]:not([disabled])");
      if (!required.length) return false;
      return !Array.prototype.some.call(required, function (el) {
        return el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "";
      });
    }
    next.addEventListener("click", function () {
      var err = steps[at].querySelector("p.error[id^='err-']");
      if (unanswered(steps[at])) { if (err) err.textContent = "请先选择一项再继续"; return; }
      if (err && err.textContent === "请先选择一项再继续") err.textContent = "";
      record(); show(at + 1); window.scrollTo(0, 0);
    });
    back.addEventListener("click", function () { record(); show(at - 1); window.scrollTo(0, 0); });
    /* the time is written as soon as an answer is chosen and again when the form is sent (click comes
       before htmx reads the form) */
    form.addEventListener("change", function () { record(); });
    submit.addEventListener("click", function () { record(); });
    /* after a refusal, the first question with an error comes back */
    form._fbShowError = function () {
      for (var i = 0; i < steps.length; i++) {
        if (Array.prototype.some.call(steps[i].querySelectorAll("p.error"), function (p) { return p.textContent.trim(); })) {
          record(); show(i); return;
        }
      }
    };
    show(0);
  }

  /* ---- customer hand-over: the back button and the browser history stay on this screen */
  function lockHandover() {
    if (!document.querySelector(".page.handover") || window._fbLocked) return;
    window._fbLocked = true;
    history.pushState(null, "", location.href);
    window.addEventListener("popstate", function () {
      if (document.querySelector(".page.handover")) { history.pushState(null, "", location.href); toast("请先完成本页"); }
    });
  }

  function init(root) {
    root.querySelectorAll("form.task-form").forEach(function (form) {
      if (form._fb) return;
      form._fb = true;
      applyShowWhen(form);
      form.addEventListener("change", function () { applyShowWhen(form); });
      if (form.hasAttribute("data-one-at-a-time")) initSteps(form);
    });
    root.querySelectorAll('[data-widget="camera"]').forEach(function (box) {
      if (!box._fb) { box._fb = true; initCamera(box); }
    });
    root.querySelectorAll('[data-widget="recording"]').forEach(function (box) {
      if (!box._fb) { box._fb = true; initRecording(box); }
    });
    root.querySelectorAll('[data-widget="signature"]').forEach(function (box) {
      if (!box._fb) { box._fb = true; initSignature(box); }
    });
    root.querySelectorAll("[data-diagram-url]").forEach(function (el) {
      if (!el._fb) { el._fb = true; showDiagram(el); }
    });
    root.querySelectorAll("[data-otp-resend]").forEach(function (el) {
      if (!el._fb) { el._fb = true; initResend(el); }
    });
    root.querySelectorAll("fieldset[data-region]").forEach(function (el) {
      if (!el._fb) { el._fb = true; initRegion(el); }
    });
    root.querySelectorAll("[data-reader]").forEach(function (el) {
      if (!el._fb) { el._fb = true; initReader(el); }
    });
    root.querySelectorAll("input[data-date]:not([readonly])").forEach(function (el) {
      if (!el._fb) { el._fb = true; initDate(el); }
    });
    lockHandover();
    document.documentElement.setAttribute("data-ready", "true");
  }

  /* ---- bpmn-js viewer: the path taken in green, where the journey is now in orange */
  function showDiagram(el) {
    if (!window.BpmnJS) { el.querySelector("[data-diagram-status]").textContent = "流程图组件未加载"; return; }
    fetch(el.getAttribute("data-diagram-url"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (d) {
      el.innerHTML = "";
      var viewer = new window.BpmnJS({ container: el });
      return viewer.importXML(d.xml).then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry");
        var focus = d.current.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
        fitReadable(el, canvas, focus);
        d.completed.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "path-done"); });
        d.current.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "path-current"); });
        el.setAttribute("data-rendered", "true");
      });
    }).catch(function (err) {
      el.innerHTML = '<p class="error">流程图加载失败：' + String(err.message || err).replace(/[<>&]/g, "") + "</p>";
    });
  }

  /* The diagram fills the box's width at a readable scale: a long journey (J1 is 4,000 units wide) keeps
     its text readable and is dragged sideways, starting at where the journey is now; the box is as tall
     as the diagram at that scale, within three quarters of the screen. */
  var READABLE_SCALE = 0.8, LARGEST_SCALE = 1.5, DIAGRAM_PAD = 16;
  function fitReadable(el, canvas, focus) {
    var inner = canvas.viewbox().inner;
    if (!inner.width || !inner.height) { canvas.zoom("fit-viewport"); return; }
    var room = el.clientWidth - 2 * DIAGRAM_PAD, tallest = Math.max(240, window.innerHeight * 0.75);
    var scale = Math.max(room / inner.width, READABLE_SCALE);
    scale = Math.min(scale, (tallest - 2 * DIAGRAM_PAD) / inner.height, LARGEST_SCALE);
    el.style.height = Math.round(inner.height * scale + 2 * DIAGRAM_PAD) + "px";
    canvas.resized();
    var pad = DIAGRAM_PAD / scale, seen = el.clientWidth / scale, x = inner.x - pad;
    if (focus && inner.width * scale > room) {
      var last = inner.x + inner.width + pad - seen;
      x = Math.max(x, Math.min(last, focus.x + focus.width / 2 - seen / 2));
    }
    canvas.viewbox({ x: x, y: inner.y - pad, width: seen, height: el.clientHeight / scale });
  }

  /* forms that need a second thought (no inline handlers: the pages' CSP allows only our scripts) */
  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) e.preventDefault();
  }, true);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
