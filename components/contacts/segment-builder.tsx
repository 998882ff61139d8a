"use client";

import { operatorsByType, segmentFields, type SegmentCondition, type SegmentGroup, type SegmentOperator } from "@/lib/schemas/segment";
import { commaList } from "./comma-list";

/** Human words for each operator; the stored definition keeps the operator names the compiler knows. */
export const operatorLabels: Record<SegmentOperator, string> = {
  is: "is",
  is_not: "is not",
  contains: "contains",
  starts_with: "starts with",
  is_any_of: "is any of",
  is_none_of: "is none of",
  is_set: "is filled in",
  is_not_set: "is empty",
  has_any: "has any of",
  has_all: "has all of",
  has_none: "has none of",
  is_true: "is yes",
  is_false: "is no",
  before: "is before",
  after: "is after",
  between: "is between",
  in_last_days: "in the last (days)",
  more_than_days_ago: "more than (days) ago",
  at_least: "is at least",
  at_most: "is at most",
};

type FieldSpec = { label: string; type: keyof typeof operatorsByType; values?: readonly string[] };
/** The fields a builder offers: the contact's, plus a caller's own (an automation's event facts). */
type Fields = Record<string, FieldSpec>;
const contactFields = segmentFields as Fields;
const CUSTOM = "custom";

const noValue = new Set<string>(["is_set", "is_not_set", "is_true", "is_false"]);
const listValue = new Set<string>(["is_any_of", "is_none_of", "has_any", "has_all", "has_none"]);
const dayValue = new Set<string>(["in_last_days", "more_than_days_ago"]);

function typeOf(field: string, fields: Fields = contactFields) {
  return field in fields ? fields[field]!.type : "text";
}

/** The value input a condition's operator needs; lists are typed comma-separated. */
type Named = { id: string; name: string };

function ValueInput({
  condition,
  onChange,
  label,
  lists,
  users,
  segments,
  fields,
}: {
  condition: SegmentCondition;
  onChange: (v: SegmentCondition["value"]) => void;
  label: string;
  lists: Named[];
  users: Named[];
  segments: Named[];
  fields: Fields;
}) {
  const cls = "min-w-0 flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm";
  const spec = fields[condition.field];
  if (noValue.has(condition.op)) return null;
  if (spec?.type === "lists" || spec?.type === "user") {
    const chosen = Array.isArray(condition.value) ? condition.value : [];
    const isSegment = condition.field === "segment";
    const options = spec.type === "lists" ? (isSegment ? segments : lists) : users;
    if (options.length === 0) {
      return <span className="text-sm text-slate-500">{spec.type === "user" ? "No teammates yet." : isSegment ? "No saved segments yet: save one in Contacts." : "No lists yet: create one with “Add to list”."}</span>;
    }
    return (
      <fieldset className="flex flex-wrap gap-2" aria-label={label}>
        {options.map((l) => (
          <label key={l.id} className="flex items-center gap-1 text-sm">
            <input type="checkbox" checked={chosen.includes(l.id)} onChange={(e) => onChange(e.target.checked ? [...chosen, l.id] : chosen.filter((x) => x !== l.id))} />
            {l.name}
          </label>
        ))}
      </fieldset>
    );
  }
  if (spec && "values" in spec) {
    const values = spec.values as readonly string[];
    if (listValue.has(condition.op)) {
      const chosen = Array.isArray(condition.value) ? condition.value : [];
      return (
        <fieldset className="flex flex-wrap gap-2" aria-label={label}>
          {values.map((v) => (
            <label key={v} className="flex items-center gap-1 text-sm">
              <input type="checkbox" checked={chosen.includes(v)} onChange={(e) => onChange(e.target.checked ? [...chosen, v] : chosen.filter((x) => x !== v))} />
              {v.replace(/_/g, " ")}
            </label>
          ))}
        </fieldset>
      );
    }
    return (
      <select aria-label={label} className={cls} value={typeof condition.value === "string" ? condition.value : ""} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v.replace(/_/g, " ")}
          </option>
        ))}
      </select>
    );
  }
  if (condition.op === "between") {
    const [from, to] = Array.isArray(condition.value) ? condition.value : ["", ""];
    return (
      <span className="flex flex-1 gap-1">
        <input type="date" aria-label={`${label} from`} className={cls} value={from ?? ""} onChange={(e) => onChange([e.target.value, to ?? ""])} />
        <input type="date" aria-label={`${label} to`} className={cls} value={to ?? ""} onChange={(e) => onChange([from ?? "", e.target.value])} />
      </span>
    );
  }
  if (dayValue.has(condition.op)) {
    return <input type="number" min={0} aria-label={label} className={cls} value={typeof condition.value === "number" ? condition.value : ""} onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))} />;
  }
  if (typeOf(condition.field, fields) === "number") {
    return <input type="number" aria-label={label} className={cls} value={typeof condition.value === "number" ? condition.value : ""} onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))} />;
  }
  if (typeOf(condition.field, fields) === "date") {
    return <input type="date" aria-label={label} className={cls} value={typeof condition.value === "string" ? condition.value : ""} onChange={(e) => onChange(e.target.value)} />;
  }
  if (listValue.has(condition.op)) {
    return (
      <input
        aria-label={label}
        placeholder="comma, separated"
        className={cls}
        value={Array.isArray(condition.value) ? condition.value.join(", ") : ""}
        onChange={(e) => onChange(commaList(e.target.value))}
      />
    );
  }
  return <input aria-label={label} className={cls} value={typeof condition.value === "string" ? condition.value : ""} onChange={(e) => onChange(e.target.value)} />;
}

function ConditionRow({
  condition,
  index,
  lists,
  users,
  segments,
  fields,
  onChange,
  onRemove,
}: {
  condition: SegmentCondition;
  index: number;
  lists: Named[];
  users: Named[];
  segments: Named[];
  fields: Fields;
  onChange: (c: SegmentCondition) => void;
  onRemove: () => void;
}) {
  const custom = condition.field.startsWith("customFields.");
  const type = typeOf(condition.field, fields);
  const ops = operatorsByType[type] as readonly SegmentOperator[];
  const label = `Condition ${index + 1}`;
  const cls = "rounded-md border border-slate-300 px-2 py-1 text-sm";
  return (
    <li className="flex flex-wrap items-center gap-2 rounded-md bg-slate-50 p-2" data-testid="segment-condition">
      <select
        aria-label={`${label} field`}
        className={cls}
        value={custom ? CUSTOM : condition.field}
        onChange={(e) => {
          const field = e.target.value === CUSTOM ? "customFields.plan" : e.target.value;
          onChange({ field, op: operatorsByType[typeOf(field, fields)][0] });
        }}
      >
        {Object.entries(fields).map(([f, spec]) => (
          <option key={f} value={f}>
            {spec.label}
          </option>
        ))}
        <option value={CUSTOM}>Custom field…</option>
      </select>
      {custom && (
        <input
          aria-label={`${label} custom field name`}
          className={`${cls} w-28`}
          value={condition.field.slice("customFields.".length)}
          onChange={(e) => onChange({ ...condition, field: `customFields.${e.target.value}` })}
        />
      )}
      <select aria-label={`${label} operator`} className={cls} value={condition.op} onChange={(e) => onChange({ field: condition.field, op: e.target.value as SegmentOperator })}>
        {ops.map((op) => (
          <option key={op} value={op}>
            {operatorLabels[op]}
          </option>
        ))}
      </select>
      <ValueInput condition={condition} lists={lists} users={users} segments={segments} fields={fields} label={`${label} value`} onChange={(value) => onChange({ ...condition, value })} />
      <button type="button" onClick={onRemove} className="rounded px-2 text-slate-500 hover:bg-slate-200 hover:text-slate-800" aria-label={`Remove condition ${index + 1}`}>
        ×
      </button>
    </li>
  );
}

const isGroup = (x: SegmentCondition | SegmentGroup): x is SegmentGroup => "match" in x;

/**
 * Edits a segment definition: a list of conditions matched all or any. Nested groups (from the
 * API or an older builder) are kept and shown as a summary: the builder never drops what it
 * cannot edit.
 */
export function SegmentBuilder({
  value,
  onChange,
  lists = [],
  users = [],
  segments = [],
  extraFields,
  subject = "Contacts",
}: {
  value: SegmentGroup;
  onChange: (g: SegmentGroup) => void;
  lists?: Named[];
  users?: Named[];
  /** Saved segments, for an extra `segment` field (membership). */
  segments?: Named[];
  /** Fields beyond the contact's, offered after them (the segment compiler takes them through its extension). */
  extraFields?: Fields;
  subject?: string;
}) {
  const fields: Fields = extraFields ? { ...contactFields, ...extraFields } : contactFields;
  const set = (conditions: SegmentGroup["conditions"]) => onChange({ ...value, conditions });
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-2 text-sm">
        <span>{subject} matching</span>
        <select aria-label="Match" className="rounded-md border border-slate-300 px-2 py-1 text-sm" value={value.match} onChange={(e) => onChange({ ...value, match: e.target.value as "all" | "any" })}>
          <option value="all">all</option>
          <option value="any">any</option>
        </select>
        <span>of these conditions</span>
      </div>
      <ul className="space-y-2">
        {value.conditions.map((c, i) =>
          isGroup(c) ? (
            <li key={i} className="flex items-center justify-between rounded-md bg-slate-50 p-2 text-sm text-slate-600">
              <span>
                A group: {c.match} of {c.conditions.length} condition{c.conditions.length === 1 ? "" : "s"}
              </span>
              <button type="button" className="rounded px-2 hover:bg-slate-200" onClick={() => set(value.conditions.filter((_, j) => j !== i))} aria-label={`Remove group ${i + 1}`}>
                ×
              </button>
            </li>
          ) : (
            <ConditionRow
              key={i}
              index={i}
              lists={lists}
              users={users}
              segments={segments}
              fields={fields}
              condition={c}
              onChange={(nc) => set(value.conditions.map((x, j) => (j === i ? nc : x)))}
              onRemove={() => set(value.conditions.filter((_, j) => j !== i))}
            />
          ),
        )}
      </ul>
      <button type="button" className="text-sm font-medium text-brand-700 hover:underline" onClick={() => set([...value.conditions, { field: "tags", op: "has_any", value: [] }])}>
        + Add condition
      </button>
    </div>
  );
}
