import type { ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes, InputHTMLAttributes } from "react";

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={`${id}-error`} role="alert" className="text-sm text-red-600">
      {error}
    </p>
  ) : null;
}

/** A checkbox with a real <label>, an optional explanation, and its error beneath. */
export function CheckboxField({ label, name, hint, error, ...input }: { label: string; name: string; hint?: ReactNode; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = input.id ?? `field-${name}`;
  return (
    <div className="space-y-1">
      <div className="flex items-start gap-2">
        <input id={id} name={name} type="checkbox" className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
        <div>
          <label htmlFor={id} className="text-sm font-medium text-slate-800">
            {label}
          </label>
          {hint ? (
            <p id={`${id}-hint`} className="text-xs text-slate-500">
              {hint}
            </p>
          ) : null}
        </div>
      </div>
      <ErrorText id={id} error={error} />
    </div>
  );
}

export function SelectField({ label, name, error, hint, children, ...select }: { label: string; name: string; error?: string; hint?: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = select.id ?? `field-${name}`;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <select id={id} name={name} aria-invalid={error ? true : undefined} className={`block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm ${error ? "border-red-500" : "border-slate-300"}`} {...select}>
        {children}
      </select>
      {hint && !error ? <p className="text-xs text-slate-500">{hint}</p> : null}
      <ErrorText id={id} error={error} />
    </div>
  );
}

export function TextAreaField({ label, name, error, hint, ...area }: { label: string; name: string; error?: string; hint?: ReactNode } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = area.id ?? `field-${name}`;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm ${error ? "border-red-500" : "border-slate-300"}`}
        {...area}
      />
      {hint && !error ? <p className="text-xs text-slate-500">{hint}</p> : null}
      <ErrorText id={id} error={error} />
    </div>
  );
}
