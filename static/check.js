// Shown when the app cannot start: no WebAssembly, or the module blocked or broken.
(function () {
  var text = {
    en: 'svclab could not start: this browser cannot run its WebAssembly module (it may be too old, or WebAssembly may be blocked). Try a current Chrome, Edge, Firefox or Safari.',
    ko: 'svclab을 시작하지 못했습니다. 이 브라우저가 WebAssembly 모듈을 실행하지 못합니다(브라우저가 오래되었거나 WebAssembly가 막혀 있을 수 있습니다). 최신 Chrome, Edge, Firefox, Safari에서 열어 보세요.'
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
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    document.addEventListener('DOMContentLoaded', fail);
    return;
  }
  // The app removes #boot when it starts; if it is still there after a while, say why.
  window.addEventListener('error', function () { setTimeout(fail, 0); });
  window.addEventListener('unhandledrejection', function () { setTimeout(fail, 0); });
  setTimeout(fail, 15000);
})();
