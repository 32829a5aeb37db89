import { type ReactNode, useEffect, useId, useRef } from "react";
import type { Problem } from "./problems";
import { flashFor, takeFocus } from "./session";

/**
 * The console's building blocks, after the GOV.UK Design System: one heading per page, an error
 * summary above it that links to each field, labels and hints tied to their inputs.
 */

const SERVICE = "Letterbox staff console";

type PageProps = {
  title: string;
  /** A line above the heading: whose page this is ("Margaret Jones"). */
  caption?: string;
  back?: { href: string; text: string };
  problems?: Problem[];
  /** A confirmation of what was just done, shown above the heading. */
  done?: string | null;
  children: ReactNode;
};

export function Page({ title, caption, back, problems = [], done, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const flashed = flashFor(location.hash);
  useEffect(() => {
    document.title = `${problems.length > 0 ? "Error: " : ""}${title} – ${SERVICE}`;
  }, [title, problems.length]);
  useEffect(() => {
    if (takeFocus()) heading.current?.focus();
  }, []);
  const confirmation = done ?? flashed;
  return (
    <>
      {back && (
        <a className="back-link" href={back.href}>
          {back.text}
        </a>
      )}
      <ErrorSummary problems={problems} />
      {confirmation && <Banner>{confirmation}</Banner>}
      {caption && <span className="caption">{caption}</span>}
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}

export function ErrorSummary({ problems }: { problems: Problem[] }) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    if (problems.length > 0) box.current?.focus();
  }, [problems]);
  if (problems.length === 0) return null;
  return (
    <div className="error-summary" ref={box} tabIndex={-1} role="alert" aria-labelledby={titleId}>
      <h2 id={titleId} className="error-summary-title">
        There is a problem
      </h2>
      <ul className="error-summary-list">
        {problems.map((p) => (
          <li key={`${p.fieldId}:${p.text}`}>
            {p.fieldId ? (
              <a href={`#${p.fieldId}`} onClick={(e) => focusField(e, p.fieldId)}>
                {p.text}
              </a>
            ) : (
              p.text
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The summary's links move focus to the field; following the `#id` would change the page's route. */
function focusField(event: React.MouseEvent, id: string | undefined) {
  event.preventDefault();
  const field = id ? document.getElementById(id) : null;
  field?.scrollIntoView({ block: "center" });
  field?.focus();
}

/** "success" confirms what was just done (announced); "important" is a standing fact about the page. */
export function Banner({ children, tone = "success" }: { children: ReactNode; tone?: "success" | "important" }) {
  if (tone === "success") {
    return (
      <div className="banner banner-success" role="status">
        {children}
      </div>
    );
  }
  return (
    <div className="banner banner-important">
      <p className="banner-title">Important</p>
      <p>{children}</p>
    </div>
  );
}

type FieldBits = { id: string; hint?: ReactNode; error?: string | undefined };

/** The ids an input is described by: its hint and its error message. */
const describedBy = ({ id, hint, error }: FieldBits) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

function HintAndError({ id, hint, error }: FieldBits) {
  return (
    <>
      {hint && (
        <div id={`${id}-hint`} className="hint">
          {hint}
        </div>
      )}
      {error && (
        <p id={`${id}-error`} className="error-message">
          <span className="visually-hidden">Error:</span> {error}
        </p>
      )}
    </>
  );
}

type TextInputProps = FieldBits &
  Omit<React.InputHTMLAttributes<HTMLInputElement>, "id"> & {
    label: ReactNode;
    /** "short" for times, numbers and codes. */
    width?: "short" | "medium";
  };

export function TextInput({ id, label, hint, error, width, className, name, ...input }: TextInputProps) {
  return (
    <div className={`form-group${error ? " form-group-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      <HintAndError id={id} hint={hint} error={error} />
      <input
        id={id}
        name={name ?? id}
        className={
          [width ? `input-${width}` : "", error ? "input-error" : "", className ?? ""].filter(Boolean).join(" ") || undefined
        }
        aria-describedby={describedBy({ id, hint, error })}
        aria-invalid={error ? true : undefined}
        {...input}
      />
    </div>
  );
}

export type Choice<T extends string> = { value: T; label: ReactNode; hint?: ReactNode; lang?: string };

type RadiosProps<T extends string> = FieldBits & {
  name: string;
  legend: ReactNode;
  choices: Choice<T>[];
  value: T;
  onChange: (value: T) => void;
  inline?: boolean;
  /** Shown under the chosen option (a conditional reveal), keyed by option. */
  reveal?: Partial<Record<T, ReactNode>>;
};

/** A question with one answer. The error summary links to the first option (`${id}`). */
export function Radios<T extends string>({
  id,
  name,
  legend,
  hint,
  error,
  choices,
  value,
  onChange,
  inline,
  reveal,
}: RadiosProps<T>) {
  return (
    <div className={`form-group${error ? " form-group-error" : ""}`}>
      <fieldset aria-describedby={describedBy({ id, hint, error })}>
        <legend>{legend}</legend>
        <HintAndError id={id} hint={hint} error={error} />
        <div className={inline ? "radios radios-inline" : "radios"}>
          {choices.map((c, i) => {
            const optionId = i === 0 ? id : `${id}-${c.value}`;
            const shown = value === c.value ? reveal?.[c.value] : undefined;
            return (
              <div key={c.value} className="radio">
                <input
                  id={optionId}
                  type="radio"
                  name={name}
                  value={c.value}
                  checked={value === c.value}
                  onChange={() => onChange(c.value)}
                  aria-describedby={c.hint ? `${optionId}-hint` : undefined}
                />
                <label htmlFor={optionId} lang={c.lang}>
                  {c.label}
                </label>
                {c.hint && (
                  <div id={`${optionId}-hint`} className="hint radio-hint">
                    {c.hint}
                  </div>
                )}
                {shown && <div className="reveal">{shown}</div>}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function SummaryList({ rows, label }: { rows: { key: string; value: ReactNode; change?: string }[]; label?: string }) {
  return (
    <dl className="summary-list" aria-label={label}>
      {rows.map((row) => (
        <div key={row.key} className="summary-row">
          <dt>{row.key}</dt>
          <dd>{row.value}</dd>
          {row.change && (
            <dd className="summary-action">
              <a href={row.change}>
                Change<span className="visually-hidden"> {row.key.toLocaleLowerCase("en-GB")}</span>
              </a>
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}

export function Warning({ children }: { children: ReactNode }) {
  return (
    <div className="warning-text">
      <span className="warning-icon" aria-hidden="true">
        !
      </span>
      <strong>
        <span className="visually-hidden">Warning: </span>
        {children}
      </strong>
    </div>
  );
}

export function Loading() {
  return (
    <p className="loading" role="status">
      Loading…
    </p>
  );
}
