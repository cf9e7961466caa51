// Records what a browser's console would show as errors, for browsers whose WebDriver reports
// no console events (WebKitGTK): console.error calls, uncaught exceptions, unhandled promise
// rejections and Content-Security-Policy violations, in window.pageErrors. A classic script that
// the test server puts first into the page's <head>, so that it runs before the page's modules.
// Not counted, as no browser's console shows it: "ResizeObserver loop completed with undelivered
// notifications", the error event every browser fires when a ResizeObserver callback changes a
// size observed in the same frame (a heatmap redrawn at a new width grows taller); the
// notification simply comes a frame later.
window.pageErrors = [];
{
  const record = (text) => window.pageErrors.push(text);
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    record(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' '));
    consoleError(...args);
  };
  window.addEventListener('error', (e) => {
    if (!e.message.startsWith('ResizeObserver loop')) record(`uncaught: ${e.message} (${e.filename}:${e.lineno})`);
  });
  window.addEventListener('unhandledrejection', (e) => record(`unhandled rejection: ${e.reason?.message ?? e.reason}`));
  document.addEventListener('securitypolicyviolation', (e) => record(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`));
}
