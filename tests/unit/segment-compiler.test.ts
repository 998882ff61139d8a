import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/errors";
import { compileSegment } from "@/lib/contacts/segments/compile";
import { operatorsByType, segmentFields, segmentGroup, type SegmentCondition, type SegmentGroup } from "@/lib/schemas/segment";

const NOW = new Date("2026-12-03T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const one = (c: SegmentCondition) => compileSegment({ match: "all", conditions: [c] }, NOW);
const refused = (def: SegmentGroup) => {
  try {
    compileSegment(def, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("unprocessable_entity");
    return (err as ApiError).message;
  }
  throw new Error("the definition was accepted");
};

describe("segment compiler: every operator", () => {
  it("text: is / is not match whole values, case-insensitively for names, exactly for normalised phones and emails", () => {
    expect(one({ field: "company", op: "is", value: "Acme (EU)" })).toEqual({ company: { $regex: "^Acme \\(EU\\)$", $options: "i" } });
    expect(one({ field: "company", op: "is_not", value: "Acme" })).toEqual({ company: { $not: /^Acme$/i } });
    expect(one({ field: "email", op: "is", value: "Ana@Example.COM" })).toEqual({ email: "ana@example.com" });
    expect(one({ field: "email", op: "is_not", value: "Ana@Example.COM" })).toEqual({ email: { $ne: "ana@example.com" } });
    expect(one({ field: "phone", op: "is", value: "+1 (415) 555-0100" })).toEqual({ phone: "+14155550100" });
  });

  it("text: contains and starts with escape what a person types", () => {
    expect(one({ field: "name", op: "contains", value: "a.b*" })).toEqual({ name: { $regex: "a\\.b\\*", $options: "i" } });
    expect(one({ field: "phone", op: "starts_with", value: "+49 (30)" })).toEqual({ phone: { $regex: "^\\+4930", $options: "i" } });
  });

  it("text: any of / none of / set / not set", () => {
    expect(one({ field: "email", op: "is_any_of", value: ["A@x.io", "b@x.io"] })).toEqual({ email: { $in: ["a@x.io", "b@x.io"] } });
    expect(one({ field: "company", op: "is_none_of", value: ["Acme"] })).toEqual({ company: { $nin: ["Acme"] } });
    expect(one({ field: "email", op: "is_set" })).toEqual({ email: { $nin: [null, ""] } });
    expect(one({ field: "email", op: "is_not_set" })).toEqual({ email: { $in: [null, ""] } });
    expect(one({ field: "customFields.plan", op: "is_any_of", value: ["gold"] })).toEqual({ "customFields.plan": { $in: ["gold"] } });
  });

  it("tags: any, all, none (lowercased as stored), set, not set", () => {
    expect(one({ field: "tags", op: "has_any", value: ["VIP", "lead"] })).toEqual({ tags: { $in: ["vip", "lead"] } });
    expect(one({ field: "tags", op: "has_all", value: ["vip", "lead"] })).toEqual({ tags: { $all: ["vip", "lead"] } });
    expect(one({ field: "tags", op: "has_none", value: ["spam"] })).toEqual({ tags: { $nin: ["spam"] } });
    expect(one({ field: "tags", op: "is_set" })).toEqual({ "tags.0": { $exists: true } });
    expect(one({ field: "tags", op: "is_not_set" })).toEqual({ "tags.0": { $exists: false } });
  });

  it("lists: on any of / none of the lists, by id", () => {
    const id = "6b119859e9521748fe31b3c2";
    expect(one({ field: "listIds", op: "has_any", value: [id] })).toEqual({ listIds: { $in: [new ObjectId(id)] } });
    expect(one({ field: "listIds", op: "has_none", value: [id] })).toEqual({ listIds: { $nin: [new ObjectId(id)] } });
    expect(refused({ match: "all", conditions: [{ field: "listIds", op: "has_any", value: ["vip"] }] })).toBe('definition.conditions[0]: "vip" is not a list id');
  });

  it("owner: any of / none of the teammates, set, not set", () => {
    const id = "6b119859e9521748fe31b3c3";
    expect(one({ field: "ownerId", op: "is_any_of", value: [id] })).toEqual({ ownerId: { $in: [new ObjectId(id)] } });
    expect(one({ field: "ownerId", op: "is_none_of", value: [id] })).toEqual({ ownerId: { $nin: [new ObjectId(id)] } });
    expect(one({ field: "ownerId", op: "is_set" })).toEqual({ ownerId: { $ne: null } });
    expect(one({ field: "ownerId", op: "is_not_set" })).toEqual({ ownerId: null });
    expect(refused({ match: "all", conditions: [{ field: "ownerId", op: "is_any_of", value: ["ana"] }] })).toBe('definition.conditions[0]: "ana" is not a user id');
  });

  it("enum: is, is not, any of, none of, with the known values only", () => {
    expect(one({ field: "consent.state", op: "is", value: "opted_in" })).toEqual({ "consent.state": "opted_in" });
    expect(one({ field: "consent.state", op: "is_not", value: "opted_out" })).toEqual({ "consent.state": { $ne: "opted_out" } });
    expect(one({ field: "source.kind", op: "is_any_of", value: ["ctwa_ad", "widget"] })).toEqual({ "source.kind": { $in: ["ctwa_ad", "widget"] } });
    expect(one({ field: "source.kind", op: "is_none_of", value: ["import"] })).toEqual({ "source.kind": { $nin: ["import"] } });
    expect(refused({ match: "all", conditions: [{ field: "consent.state", op: "is", value: "maybe" }] })).toBe(
      'definition.conditions[0]: Consent is one of unknown, opted_in, opted_out, not "maybe"',
    );
  });

  it("boolean: true, and false including never set", () => {
    expect(one({ field: "consent.marketing", op: "is_true" })).toEqual({ "consent.marketing": true });
    expect(one({ field: "consent.marketing", op: "is_false" })).toEqual({ "consent.marketing": { $ne: true } });
  });

  it("dates: before, after (the named day excluded), between (both days included), relative days, set, not set", () => {
    expect(one({ field: "createdAt", op: "before", value: "2026-01-31" })).toEqual({ createdAt: { $lt: new Date("2026-01-31T00:00:00Z") } });
    expect(one({ field: "createdAt", op: "after", value: "2026-01-31" })).toEqual({ createdAt: { $gte: new Date("2026-02-01T00:00:00Z") } });
    expect(one({ field: "createdAt", op: "after", value: "2026-01-31T10:00:00Z" })).toEqual({ createdAt: { $gte: new Date("2026-01-31T10:00:00Z") } });
    expect(one({ field: "createdAt", op: "between", value: ["2026-01-01", "2026-01-31"] })).toEqual({
      createdAt: { $gte: new Date("2026-01-01T00:00:00Z"), $lt: new Date("2026-02-01T00:00:00Z") },
    });
    expect(one({ field: "lastInboundAt", op: "in_last_days", value: 7 })).toEqual({ lastInboundAt: { $gte: new Date(NOW.getTime() - 7 * DAY) } });
    expect(one({ field: "lastInboundAt", op: "more_than_days_ago", value: 30 })).toEqual({ lastInboundAt: { $lt: new Date(NOW.getTime() - 30 * DAY) } });
    expect(one({ field: "lastInboundAt", op: "is_set" })).toEqual({ lastInboundAt: { $ne: null } });
    expect(one({ field: "lastInboundAt", op: "is_not_set" })).toEqual({ lastInboundAt: null });
  });

  it("numbers: the lead score at least / at most (typed or as text), set, not set; anything but a number is refused", () => {
    expect(one({ field: "leadScore", op: "at_least", value: 70 })).toEqual({ leadScore: { $gte: 70 } });
    expect(one({ field: "leadScore", op: "at_most", value: "30" })).toEqual({ leadScore: { $lte: 30 } });
    expect(one({ field: "leadScore", op: "is_set" })).toEqual({ leadScore: { $ne: null } });
    expect(one({ field: "leadScore", op: "is_not_set" })).toEqual({ leadScore: null });
    expect(refused({ match: "all", conditions: [{ field: "leadScore", op: "at_least", value: "hot" }] })).toBe("definition.conditions[0]: at least needs a number");
    expect(refused({ match: "all", conditions: [{ field: "leadScore", op: "at_least" }] })).toBe("definition.conditions[0]: at least needs a number");
    expect(refused({ match: "all", conditions: [{ field: "leadScore", op: "contains", value: "7" }] })).toBe('definition.conditions[0]: Lead score does not take "contains" (it takes at_least, at_most, is_set, is_not_set)');
  });

  it("covers every operator of every field type", () => {
    // A new operator without a case above fails here rather than compiling to nothing.
    const sample: Record<string, SegmentCondition["value"]> = {
      is: "x", is_not: "x", contains: "x", starts_with: "x", is_any_of: ["x"], is_none_of: ["x"], has_any: ["x"], has_all: ["x"], has_none: ["x"],
      before: "2026-01-01", after: "2026-01-01", between: ["2026-01-01", "2026-01-02"], in_last_days: 1, more_than_days_ago: 1, at_least: 50, at_most: 50,
    };
    for (const [field, spec] of Object.entries(segmentFields)) {
      for (const op of operatorsByType[spec.type]) {
        const value =
          spec.type === "lists" || spec.type === "user" ? ["6b119859e9521748fe31b3c2"] : "values" in spec ? (Array.isArray(sample[op]) ? [spec.values[0]] : spec.values[0]) : sample[op];
        expect(Object.keys(one({ field, op, value })).length, `${field} ${op}`).toBeGreaterThan(0);
      }
    }
  });
});

describe("segment compiler: groups", () => {
  it("compiles all/any groups, nested, to one filter; an empty group is everyone", () => {
    const def: SegmentGroup = {
      match: "all",
      conditions: [
        { field: "tags", op: "has_any", value: ["vip"] },
        { match: "any", conditions: [{ field: "consent.state", op: "is", value: "opted_in" }, { field: "lastInboundAt", op: "in_last_days", value: 7 }] },
        { match: "any", conditions: [] },
      ],
    };
    expect(compileSegment(def, NOW)).toEqual({
      $and: [{ tags: { $in: ["vip"] } }, { $or: [{ "consent.state": "opted_in" }, { lastInboundAt: { $gte: new Date(NOW.getTime() - 7 * DAY) } }] }],
    });
    expect(compileSegment({ match: "all", conditions: [] }, NOW)).toEqual({});
    expect(compileSegment({ match: "any", conditions: [{ field: "tags", op: "is_set" }] }, NOW)).toEqual({ "tags.0": { $exists: true } });
  });

  it("refuses what it cannot compile, naming the condition and the field", () => {
    expect(refused({ match: "all", conditions: [{ field: "salary", op: "is", value: "1" }] })).toBe('definition.conditions[0]: unknown field "salary"');
    expect(refused({ match: "all", conditions: [{ match: "any", conditions: [{ field: "tags", op: "contains", value: "v" }] }] })).toBe(
      'definition.conditions[0].conditions[0]: Tags does not take "contains" (it takes has_any, has_all, has_none, is_set, is_not_set)',
    );
    expect(refused({ match: "all", conditions: [{ field: "name", op: "is" }] })).toBe("definition.conditions[0]: is needs a text value");
    expect(refused({ match: "all", conditions: [{ field: "createdAt", op: "before", value: "last tuesday" }] })).toBe("definition.conditions[0]: before needs a date like 2026-01-31");
    expect(refused({ match: "all", conditions: [{ field: "createdAt", op: "between", value: ["2026-02-01", "2026-01-01"] }] })).toBe("definition.conditions[0]: between needs the earlier date first");
    expect(refused({ match: "all", conditions: [{ field: "lastInboundAt", op: "in_last_days", value: -3 }] })).toBe("definition.conditions[0]: in_last_days needs a whole number of days");
    expect(refused({ match: "all", conditions: [{ field: "customFields.$where", op: "is", value: "1" }] })).toBe('definition.conditions[0]: "customFields.$where" is not a valid custom field name');
    const deep: SegmentGroup = { match: "all", conditions: [{ match: "all", conditions: [{ match: "all", conditions: [{ match: "all", conditions: [] }] }] }] };
    expect(refused(deep)).toBe("definition.conditions[0].conditions[0].conditions[0]: groups nest at most 3 deep");
  });

  it("the schema refuses unknown operators and extra keys before the compiler sees them", () => {
    expect(segmentGroup.safeParse({ match: "all", conditions: [{ field: "name", op: "$where", value: "1" }] }).success).toBe(false);
    expect(segmentGroup.safeParse({ match: "all", conditions: [{ field: "name", op: "is", value: "1", $where: "x" }] }).success).toBe(false);
    expect(segmentGroup.safeParse({ match: "some", conditions: [] }).success).toBe(false);
  });
});
