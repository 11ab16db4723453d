// The printable report's «In» button (no inline script: the Content-Security-Policy allows none).
document.getElementById("print-page")?.addEventListener("click", () => window.print());
