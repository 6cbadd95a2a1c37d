// The page's last word when its modules cannot run: a classic script (no module syntax), loaded
// before page.js, that says so in the page's error box instead of a page that loads forever. It
// is a file, not inline markup, so that the page runs under a strict Content-Security-Policy
// (script-src 'self': no inline scripts or event handlers). Without JavaScript at all, the
// demo's poster and its <noscript> say so.
(function () {
  function fail(text) {
    document.body.dataset.state = 'error';
    var box = document.getElementById('error');
    box.hidden = false;
    box.textContent = text;
  }
  if (!('noModule' in HTMLScriptElement.prototype)) {
    // A browser without modules skips <script type="module"> altogether.
    fail('This browser does not run JavaScript modules, which the demo needs. Try a current browser.');
    return;
  }
  // A module graph that fails to load (page.js or one of its imports missing, a file:// URL)
  // fires `error` at its <script>, which does not bubble: listen in the capture phase.
  document.addEventListener('error', function (event) {
    var script = event.target;
    if (!script || script.tagName !== 'SCRIPT' || script.type !== 'module') return;
    fail('The page script page.js could not be loaded. Open the page through a web server (node scripts/serve.mjs) in a browser with JavaScript modules.');
  }, true);
})();
