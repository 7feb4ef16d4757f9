// svclab embed: one script tag in a blog post inserts a lesson or the playground.
//   <script src="/svclab/embed.js" data-lesson="clusterip" data-lang="ko" data-height="720"></script>
// or, for a playground with given files and commands, the data of a share link:
//   <script src="/svclab/embed.js" data-share="1.…"></script>
// The iframe's height follows its content: the page inside posts its height, and only messages
// from that iframe's own window and origin are believed.
(function () {
  var script = document.currentScript;
  if (!script) return;
  var base = new URL('./', script.src);
  var params = new URLSearchParams({ embed: '1' });
  if (script.dataset.lang) params.set('lang', script.dataset.lang);
  var route = script.dataset.share
    ? '#/share/' + script.dataset.share.replace(/[^A-Za-z0-9._-]/g, '')
    : script.dataset.lesson ? '#/lesson/' + encodeURIComponent(script.dataset.lesson) : '#/playground';
  var src = new URL('index.html?' + params.toString() + route, base).href;
  var iframe = document.createElement('iframe');
  iframe.src = src;
  iframe.title = script.dataset.title || 'svclab';
  iframe.loading = 'lazy';
  iframe.style.width = '100%';
  iframe.style.border = '0';
  iframe.style.height = (parseInt(script.dataset.height, 10) || 720) + 'px';
  script.parentNode.insertBefore(iframe, script.nextSibling);
  var origin = new URL(src).origin;
  window.addEventListener('message', function (e) {
    if (e.origin !== origin || e.source !== iframe.contentWindow) return;
    var d = e.data;
    if (!d || d.type !== 'svclab:height' || typeof d.height !== 'number') return;
    if (d.height > 100 && d.height < 20000) iframe.style.height = Math.ceil(d.height) + 'px';
  });
})();
