/**
 * Limits use fixed windows aligned to the clock; a run straddling a boundary would see two windows.
 * Wait, when needed, until the current window has room for the whole run.
 */
export async function freshWindow(windowSeconds: number, runSeconds: number) {
  const left = windowSeconds - ((Date.now() / 1000) % windowSeconds);
  if (left < runSeconds) await new Promise((r) => setTimeout(r, left * 1000 + 200));
}
