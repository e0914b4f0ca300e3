/**
 * A form generated from a TypeBox (JSON Schema) definition (issue 21, HOUSE_STYLE "the same
 * schema serves the console's forms"): objects become fieldsets, arrays of objects lists with add
 * and remove, arrays of scalars comma-separated inputs, literal unions selects, `'*' | [...]`
 * an "all sites" switch. Every input carries `data-path` in the API's error notation
 * (`0.tiers.1.delaySec`), so a 400 naming a field marks exactly that input.
 */
import type { TSchema } from '@sinclair/typebox';
import { useTranslation } from 'react-i18next';
import { defaultFor, getAt, isLiteralUnion, isStarUnion, objectVariants, setAt } from './schema-values.js';

interface Props {
  schema: TSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  /** The field the center refused, with its message. */
  error?: { field: string; message: string };
  readOnly?: boolean;
}

interface NodeProps {
  schema: TSchema;
  path: string[];
  root: unknown;
  set: (path: string[], v: unknown) => void;
  error?: { field: string; message: string };
  label: string;
  readOnly?: boolean;
}

const dotted = (path: string[]): string => path.join('.');

/** Arrays whose items are objects (or a union of objects) get one fieldset per item. */
const isObjectList = (s: TSchema): boolean => {
  const items = s.items as TSchema | undefined;
  return s.type === 'array' && items !== undefined && (items.type === 'object' || objectVariants(items) !== undefined);
};

function useLabel(): (key: string) => string {
  const { t, i18n } = useTranslation();
  return (key) => (i18n.exists(`sup.esc.fields.${key}`) ? t(`sup.esc.fields.${key}`) : key);
}

function FieldError({ path, error }: { path: string[]; error?: { field: string; message: string } }) {
  if (!error || error.field !== dotted(path)) return null;
  return (
    <span className="field-error" id={`err-${dotted(path)}`} role="alert">
      {error.message}
    </span>
  );
}

/** An error on this path or below it (an item of a comma list) marks this input. */
const invalidAt = (path: string[], error?: { field: string }): true | undefined => {
  if (!error) return undefined;
  const p = dotted(path);
  return error.field === p || error.field.startsWith(`${p}.`) ? true : undefined;
};

function ScalarInput({ schema, path, root, set, error, label, readOnly }: NodeProps) {
  const v = getAt(root, path);
  const integer = schema.type === 'integer' || schema.type === 'number';
  const common = {
    'data-path': dotted(path),
    'aria-invalid': invalidAt(path, error),
    'aria-describedby': error?.field === dotted(path) ? `err-${dotted(path)}` : undefined,
    disabled: readOnly,
  };
  if (isLiteralUnion(schema)) {
    const options = (schema.anyOf as TSchema[]).map((s) => String(s.const));
    return (
      <label>
        {label}
        <select {...common} value={String(v ?? '')} onChange={(e) => set(path, e.target.value)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
        <FieldError path={path} error={error} />
      </label>
    );
  }
  return (
    <label>
      {label}
      <input
        {...common}
        type={integer ? 'number' : 'text'}
        value={v === undefined || v === null ? '' : String(v)}
        onChange={(e) => {
          const raw = e.target.value;
          if (raw === '') set(path, undefined);
          else set(path, integer && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);
        }}
      />
      <FieldError path={path} error={error} />
    </label>
  );
}

/** Arrays of scalars (site ids, priorities, rotation): one comma-separated input. */
function ListInput({ schema, path, root, set, error, label, readOnly }: NodeProps) {
  const v = getAt(root, path);
  const items = Array.isArray(v) ? v : [];
  const numeric = (schema.items as TSchema | undefined)?.type === 'integer';
  return (
    <label>
      {label}
      <input
        data-path={dotted(path)}
        aria-invalid={invalidAt(path, error)}
        disabled={readOnly}
        value={items.join(', ')}
        onChange={(e) => {
          const parts = e.target.value
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
          set(
            path,
            parts.map((x) => (numeric && /^-?\d+$/.test(x) ? Number(x) : x)),
          );
        }}
      />
      {error && invalidAt(path, error) && (
        <span className="field-error" role="alert">
          {error.message}
        </span>
      )}
    </label>
  );
}

function Node(props: NodeProps) {
  const { t } = useTranslation();
  const label = useLabel();
  const { schema, path, root, set, error, readOnly } = props;
  const v = getAt(root, path);
  if (isStarUnion(schema)) {
    const all = v === '*';
    const list = (schema.anyOf as TSchema[]).find((s) => s.type === 'array') as TSchema;
    return (
      <div className="star-union">
        <label className="inline">
          <input
            type="checkbox"
            data-path={`${dotted(path)}.*`}
            checked={all}
            disabled={readOnly}
            onChange={(e) => set(path, e.target.checked ? '*' : [])}
          />
          {t('sup.esc.allSites')}
        </label>
        {!all && <ListInput {...props} schema={list} />}
      </div>
    );
  }
  const variants = objectVariants(schema);
  if (variants) {
    // e.g. a recipient: {roster, role} or {roster, contact}; the variant is chosen by its keys.
    const current = Math.max(
      0,
      variants.findIndex((s) => Object.keys(s.properties ?? {}).every((k) => k in ((v as object) ?? {}))),
    );
    const names = variants.map((s) =>
      Object.keys(s.properties ?? {})
        .map(label)
        .join(' + '),
    );
    return (
      <fieldset className="schema-variant">
        <select
          aria-label={props.label}
          value={current}
          disabled={readOnly}
          onChange={(e) => set(path, defaultFor(variants[Number(e.target.value)]))}
        >
          {names.map((n, i) => (
            <option key={n} value={i}>
              {n}
            </option>
          ))}
        </select>
        <Node {...props} schema={variants[current]} />
      </fieldset>
    );
  }
  if (schema.type === 'object') {
    const required = new Set<string>((schema.required as string[] | undefined) ?? []);
    return (
      <div className="schema-object">
        {Object.entries(schema.properties as Record<string, TSchema>).map(([key, sub]) => {
          const p = [...path, key];
          const composite =
            sub.type === 'object' || (sub.type === 'array' && (sub.items as TSchema)?.type === 'object');
          if (composite && !required.has(key)) {
            const present = getAt(root, p) !== undefined;
            return (
              <fieldset key={key} className="schema-optional">
                <legend>
                  <label className="inline">
                    <input
                      type="checkbox"
                      data-path={`${dotted(p)}.?`}
                      checked={present}
                      disabled={readOnly}
                      onChange={(e) => set(p, e.target.checked ? defaultFor(sub) : undefined)}
                    />
                    {label(key)}
                  </label>
                </legend>
                {present && <Node {...props} schema={sub} path={p} label={label(key)} />}
              </fieldset>
            );
          }
          return <Node key={key} {...props} schema={sub} path={p} label={label(key)} />;
        })}
      </div>
    );
  }
  if (isObjectList(schema)) {
    const items = Array.isArray(v) ? v : [];
    const itemSchema = schema.items as TSchema;
    const max = (schema.maxItems as number | undefined) ?? Number.POSITIVE_INFINITY;
    return (
      <fieldset className="schema-array" data-path={dotted(path)}>
        <legend>{props.label}</legend>
        <FieldError path={path} error={error} />
        {items.map((_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional, as the API's field paths are
          <fieldset key={i} className="schema-item">
            <legend>{t('sup.esc.item', { what: props.label, n: i + 1 })}</legend>
            <Node {...props} schema={itemSchema} path={[...path, String(i)]} label={props.label} />
            {!readOnly && (
              <button
                type="button"
                onClick={() =>
                  set(
                    path,
                    items.filter((_x, j) => j !== i),
                  )
                }
              >
                {t('sup.common.remove')}
              </button>
            )}
          </fieldset>
        ))}
        {!readOnly && items.length < max && (
          <button type="button" data-add={dotted(path)} onClick={() => set(path, [...items, defaultFor(itemSchema)])}>
            {t('sup.esc.add', { what: props.label })}
          </button>
        )}
      </fieldset>
    );
  }
  if (schema.type === 'array') return <ListInput {...props} />;
  return <ScalarInput {...props} />;
}

export function SchemaForm({ schema, value, onChange, error, readOnly }: Props) {
  const set = (path: string[], v: unknown) => onChange(setAt(value, path, v));
  return (
    <div className="schema-form">
      <Node schema={schema} path={[]} root={value} set={set} error={error} label="" readOnly={readOnly} />
    </div>
  );
}
