/**
 * "Read it to me": the device's own speech (it works offline on Android). A voice for the
 * resident's language is used when the device has one; otherwise the language tag is still set so
 * the engine can choose.
 */
export const canSpeak = () => typeof speechSynthesis !== "undefined" && typeof SpeechSynthesisUtterance !== "undefined";

export function speak(text: string, lang: string, onDone: () => void): () => void {
  if (!canSpeak()) {
    onDone();
    return () => {};
  }
  speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  utterance.rate = 0.9;
  const primary = lang.slice(0, 2).toLowerCase();
  const voice = speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().replace("_", "-").startsWith(primary));
  if (voice) utterance.voice = voice;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    onDone();
  };
  utterance.onend = finish;
  utterance.onerror = finish;
  speechSynthesis.speak(utterance);
  return () => {
    speechSynthesis.cancel();
    finish();
  };
}
