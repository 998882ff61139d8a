import { ObjectId } from "mongodb";
import { idString } from "@/lib/schemas/common";

/** A route or query id: 24-hex string in, ObjectId out (422 with the field name otherwise). */
export const idParam = idString.transform((s) => new ObjectId(s));
