// Small progressive enhancements; every page also works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Upload with a progress bar (データ page): XHR so the browser reports upload progress.
  const form = document.querySelector("form[data-upload]");
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const bar = document.getElementById("upload-progress");
      const label = document.getElementById("upload-status");
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && bar) { bar.value = Math.round((e.loaded / e.total) * 100); }
        if (label) { label.textContent = "アップロード中… " + (bar ? bar.value : "") + "%"; }
      };
      xhr.upload.onload = () => { if (label) { label.textContent = "検証中…（大きなファイルは数十秒かかります）"; } };
      xhr.onload = () => { document.open(); document.write(xhr.responseText); document.close(); history.replaceState(null, "", xhr.responseURL || form.action); };
      xhr.onerror = () => { if (label) { label.textContent = "送信に失敗しました。通信状態を確認してもう一度お試しください。"; } };
      xhr.send(new FormData(form));
    });
  }
  // Charts served as their own cached SVG documents, inlined so their links and tooltips work.
  document.querySelectorAll("[data-svg-src]").forEach((slot) => {
    fetch(slot.dataset.svgSrc, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((svg) => { slot.innerHTML = svg; })
      .catch(() => { slot.insertAdjacentText("beforeend", "（図を読み込めませんでした）"); });
  });
  // Confirm destructive or final actions.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (ev) => { if (!confirm(el.dataset.confirm)) { ev.preventDefault(); } });
  });
});
