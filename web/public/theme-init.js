// The console's theme before first paint: the one the user chose (localStorage), else the system's.
(function () {
  var stored = null;
  try { stored = localStorage.getItem('veridity-theme'); } catch (e) { /* storage blocked: follow the system */ }
  var dark = stored ? stored === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.classList.toggle('dark', dark);
})();
