// Shown when the app cannot start (no WebAssembly, or the module blocked or broken), and when
// it stops on an internal error after starting.
(function () {
  var text = {
    en: 'svclab could not start: this browser cannot run its WebAssembly module (it may be too old, or WebAssembly may be blocked). Try a current Chrome, Edge, Firefox or Safari.',
    ko: 'svclab을 시작하지 못했습니다. 이 브라우저가 WebAssembly 모듈을 실행하지 못합니다(브라우저가 오래되었거나 WebAssembly가 막혀 있을 수 있습니다). 최신 Chrome, Edge, Firefox, Safari에서 열어 보세요.'
  };
  var crashed = {
    en: ['Something went wrong inside svclab. Your files are saved in this browser.', 'Reload', 'Reload opens svclab without the address that was open (%s).'],
    ko: ['svclab 내부에서 문제가 생겼습니다. 파일은 이 브라우저에 저장되어 있습니다.', '다시 불러오기', '다시 불러오면 열려 있던 주소(%s) 없이 svclab을 엽니다.']
  };
  function fail() {
    var boot = document.getElementById('boot');
    if (!boot) return;
    boot.setAttribute('role', 'alert');
    boot.textContent = '';
    ['ko', 'en'].forEach(function (l) {
      var p = document.createElement('p');
      p.lang = l;
      p.textContent = text[l];
      boot.appendChild(p);
    });
  }
  // A running app that hits an internal error (a WebAssembly trap) stops answering: say so,
  // in the page's language, and offer a reload (the session comes back from storage).
  function crash(err) {
    if (document.getElementById('boot') || document.querySelector('.crash')) return;
    if (!(err instanceof WebAssembly.RuntimeError)) return;
    var lang = document.documentElement.lang === 'ko' ? 'ko' : 'en';
    var div = document.createElement('div');
    div.className = 'crash';
    div.setAttribute('role', 'alert');
    var p = document.createElement('p');
    var detail = document.body.getAttribute('data-panic');
    // A share link or a shared lab may be what crashed it: reload without that address.
    var shared = location.hash.indexOf('#/share') === 0;
    var at = !shared ? '' : location.hash.length > 40 ? location.hash.slice(0, 40) + '…' : location.hash;
    p.textContent = crashed[lang][0] + (detail ? ' (' + detail + ')' : '') + (at ? ' ' + crashed[lang][2].replace('%s', at) : '');
    var b = document.createElement('button');
    b.textContent = crashed[lang][1];
    b.addEventListener('click', function () { if (shared) location.replace(location.pathname + location.search); else location.reload(); });
    div.appendChild(p);
    div.appendChild(b);
    document.body.appendChild(div);
    b.focus();
  }
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    document.addEventListener('DOMContentLoaded', fail);
    return;
  }
  // The app removes #boot when it starts; if it is still there after a while, say why.
  window.addEventListener('error', function (e) { crash(e.error); setTimeout(fail, 0); });
  window.addEventListener('unhandledrejection', function (e) { crash(e.reason); setTimeout(fail, 0); });
  setTimeout(fail, 15000);
})();
