import type {
  AggregateOptions,
  AnyBulkWriteOperation,
  Collection,
  BulkWriteOptions,
  CountDocumentsOptions,
  Document,
  Filter,
  FindOneAndUpdateOptions,
  FindOptions,
  InsertOneOptions,
  ObjectId,
  OptionalUnlessRequiredId,
  UpdateFilter,
  UpdateOptions,
  WithId,
} from "mongodb";
import { rawCollection, type CollectionName, type Docs, type globalCollections } from "./collections";

type TenantName = Exclude<CollectionName, (typeof globalCollections)[number]>;
type Doc<K extends TenantName> = Docs[K];
type NewDoc<K extends TenantName> = Omit<Docs[K], "orgId"> & { orgId?: never };

/**
 * Organization scoping that no query can bypass by accident: every filter, insert, update and
 * pipeline of the returned collection is pinned to `orgId` (set last, so a caller's filter cannot
 * override it). Request code never sees a raw Collection.
 */
export function scoped(orgId: ObjectId) {
  function pin<T>(filter: Filter<T> = {}): Filter<T> {
    return { ...filter, orgId } as Filter<T>;
  }
  return function collection<K extends TenantName>(name: K) {
    const col = () => rawCollection(name) as unknown as Collection<Doc<K>>;
    return {
      name,
      findOne(filter: Filter<Doc<K>> = {}, options?: FindOptions) {
        return col().findOne(pin(filter), options) as Promise<WithId<Doc<K>> | null>;
      },
      find(filter: Filter<Doc<K>> = {}, options?: FindOptions) {
        return col().find(pin(filter), options);
      },
      countDocuments(filter: Filter<Doc<K>> = {}, options?: CountDocumentsOptions) {
        return col().countDocuments(pin(filter), options);
      },
      insertOne(doc: NewDoc<K>, options?: InsertOneOptions) {
        return col().insertOne({ ...doc, orgId } as unknown as OptionalUnlessRequiredId<Doc<K>>, options);
      },
      insertMany(docs: NewDoc<K>[], options?: BulkWriteOptions) {
        return col().insertMany(
          docs.map((d) => ({ ...d, orgId }) as unknown as OptionalUnlessRequiredId<Doc<K>>),
          options,
        );
      },
      updateOne(filter: Filter<Doc<K>>, update: UpdateFilter<Doc<K>>, options?: UpdateOptions) {
        return col().updateOne(pin(filter), update, options);
      },
      updateMany(filter: Filter<Doc<K>>, update: UpdateFilter<Doc<K>>, options?: UpdateOptions) {
        return col().updateMany(pin(filter), update, options);
      },
      findOneAndUpdate(filter: Filter<Doc<K>>, update: UpdateFilter<Doc<K>>, options: FindOneAndUpdateOptions = {}) {
        return col().findOneAndUpdate(pin(filter), update, { ...options, includeResultMetadata: false });
      },
      deleteOne(filter: Filter<Doc<K>>) {
        return col().deleteOne(pin(filter));
      },
      deleteMany(filter: Filter<Doc<K>>) {
        return col().deleteMany(pin(filter));
      },
      aggregate<T extends Document = Document>(pipeline: Document[], options?: AggregateOptions) {
        return col().aggregate<T>([{ $match: { orgId } }, ...pipeline], options);
      },
      /** Each operation's filter is pinned; inserts and replacements get orgId. */
      bulkWrite(ops: AnyBulkWriteOperation<Doc<K>>[], options?: BulkWriteOptions) {
        const pinned = ops.map((op) => {
          if ("insertOne" in op) return { insertOne: { document: { ...op.insertOne.document, orgId } } };
          if ("updateOne" in op) return { updateOne: { ...op.updateOne, filter: pin(op.updateOne.filter) } };
          if ("updateMany" in op) return { updateMany: { ...op.updateMany, filter: pin(op.updateMany.filter) } };
          if ("replaceOne" in op) return { replaceOne: { ...op.replaceOne, filter: pin(op.replaceOne.filter), replacement: { ...op.replaceOne.replacement, orgId } } };
          if ("deleteOne" in op) return { deleteOne: { ...op.deleteOne, filter: pin(op.deleteOne.filter) } };
          return { deleteMany: { ...op.deleteMany, filter: pin(op.deleteMany.filter) } };
        }) as AnyBulkWriteOperation<Doc<K>>[];
        return col().bulkWrite(pinned, options);
      },
    };
  };
}

export type Scoped = ReturnType<typeof scoped>;
