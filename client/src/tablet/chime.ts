/**
 * A soft two-note chime made with WebAudio, so there is no sound file to fetch or cache. Browsers
 * let a page make sound only after a touch (kiosk browsers can be set to allow it at once), so the
 * first touch anywhere unlocks it.
 */
let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (context) return context;
  const Context = globalThis.AudioContext ?? (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return null;
  try {
    context = new Context();
  } catch {
    return null;
  }
  return context;
}

export function unlockChime() {
  const ctx = audio();
  if (ctx?.state === "suspended") void ctx.resume().catch(() => undefined);
}

export function chime() {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === "suspended") void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + 0.05;
  // E5 then C5: a doorbell-like fall, quiet, each note fading over a second.
  for (const [i, frequency] of [659.25, 523.25].entries()) {
    const at = start + i * 0.45;
    const tone = ctx.createOscillator();
    const gain = ctx.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.18, at + 0.04);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.2);
    tone.connect(gain).connect(ctx.destination);
    tone.start(at);
    tone.stop(at + 1.25);
  }
}
