/** When the resident last touched the screen: the app drifts back to what is new only after a quiet spell. */
let lastTouch = Date.now();

export const noteTouch = () => {
  lastTouch = Date.now();
};

export const idleFor = (ms: number) => Date.now() - lastTouch >= ms;
