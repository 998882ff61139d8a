import { withPublic } from "@/lib/api/with-public";
import { openApiDocument } from "@/lib/api/v1/openapi";
import { env } from "@/lib/env";

export const runtime = "nodejs";

// GET /api/v1/openapi.json: the public API's OpenAPI 3.1 document, generated from the routes' zod schemas (public: it describes, it serves no data)
export const GET = withPublic({ access: "public" }, async () => openApiDocument(env().APP_URL));
