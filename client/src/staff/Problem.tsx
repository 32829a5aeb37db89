export function Problem({ id, text }: { id: string; text: string | null }) {
  if (!text) return null;
  return (
    <p id={id} className="problem" role="alert">
      {text}
    </p>
  );
}
