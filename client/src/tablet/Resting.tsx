/** A calm screen with nothing personal on it: the resident is paused, or the tablet awaits staff. */
export function Resting({ title, hint }: { title: string; hint?: string }) {
  return (
    <main className="resting">
      <h1>{title}</h1>
      {hint && <p>{hint}</p>}
    </main>
  );
}
