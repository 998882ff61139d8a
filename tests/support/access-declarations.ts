import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { permissions, type Permission } from "@/lib/auth/permissions";
import { apiScopes, type ApiScope } from "@/lib/schemas/api-key";

/**
 * Reads each route's and page's declared access from its source with the TypeScript parser, for
 * the authorization matrix (tests/integration/authorization-matrix.test.ts explains why statically).
 */

export const ROOT = path.resolve(__dirname, "../..");
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type RouteAccess =
  | { kind: "permission"; permission: Permission }
  /** `withOrg({})`: any signed-in, active user. */
  | { kind: "signed-in" }
  | { kind: "public" }
  /** `withApiKey({ scope })`: the public REST API, a bearer API key holding the scope. */
  | { kind: "api-key"; scope: ApiScope }
  | { kind: "qstash" }
  | { kind: "cron" }
  | { kind: "whatsapp-signature" }
  | { kind: "next-auth" }
  /** A plain exported function: no wrapper, so only an entry in the test's exemption list can declare it. */
  | { kind: "function" };

export type MethodDeclaration = { method: HttpMethod; access: RouteAccess } | { method: HttpMethod; problem: string };

export type RouteFile = {
  /** Relative to the project root, e.g. `app/api/conversations/[id]/route.ts`. */
  file: string;
  /** The URL path with its dynamic segments, e.g. `/api/conversations/[id]`. */
  pattern: string;
  params: { name: string; catchAll: boolean }[];
  methods: MethodDeclaration[];
  /** Exports that are not wrapped handlers in a way this reader accepts (e.g. re-exports from another module). */
  problems: string[];
};

/** A wrapper counts only when imported from its module: a local function of the same name declares nothing. */
const WRAPPERS: Record<string, { module: string; kind: Exclude<RouteAccess["kind"], "permission" | "signed-in" | "public" | "function" | "api-key"> | "withOrg" | "withPublic" | "withApiKey" }> = {
  withOrg: { module: "@/lib/api/with-org", kind: "withOrg" },
  withPublic: { module: "@/lib/api/with-public", kind: "withPublic" },
  withApiKey: { module: "@/lib/api/with-api-key", kind: "withApiKey" },
  withQstash: { module: "@/lib/api/with-qstash", kind: "qstash" },
  withCron: { module: "@/lib/api/with-cron", kind: "cron" },
  withWhatsAppSignature: { module: "@/lib/webhook/signature", kind: "whatsapp-signature" },
  NextAuth: { module: "next-auth", kind: "next-auth" },
};

/** Every file named `name` under `dir` (relative to the root), sorted. */
export function findFiles(dir: string, name: string): string[] {
  return (fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile() && e.name === name)
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

/** Local name -> module specifier, for every import of the file. */
function importsOf(source: ts.SourceFile): Map<string, string> {
  const imports = new Map<string, string>();
  for (const stmt of source.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier) || !stmt.importClause) continue;
    const from = stmt.moduleSpecifier.text;
    const clause = stmt.importClause;
    if (clause.name) imports.set(clause.name.text, from);
    if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
      for (const el of clause.namedBindings.elements) imports.set(el.name.text, from);
    }
  }
  return imports;
}

const exported = (node: ts.Node) => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

function propertyNamed(obj: ts.ObjectLiteralExpression, name: string) {
  return obj.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
}

export function scanRoute(file: string): RouteFile {
  const source = parse(file);
  const imports = importsOf(source);
  const locals = new Map<string, ts.Expression | "function">();
  for (const stmt of source.statements) {
    if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) locals.set(d.name.text, d.initializer);
    } else if (ts.isFunctionDeclaration(stmt) && stmt.name) locals.set(stmt.name.text, "function");
  }

  function classify(expr: ts.Expression | "function", depth = 0): RouteAccess | { problem: string } {
    if (expr === "function") return { kind: "function" };
    if (ts.isIdentifier(expr)) {
      const target = locals.get(expr.text);
      if (!target || depth > 3) return { problem: `"${expr.text}" is not a handler declared in this file` };
      return classify(target, depth + 1);
    }
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return { kind: "function" };
    if (!ts.isCallExpression(expr) || !ts.isIdentifier(expr.expression)) return { problem: "not a call of a route wrapper" };
    const name = expr.expression.text;
    const wrapper = WRAPPERS[name];
    if (!wrapper) return { problem: `${name}(...) is not a route wrapper` };
    if (imports.get(name) !== wrapper.module) return { problem: `${name} is not imported from ${wrapper.module}` };
    if (wrapper.kind !== "withOrg" && wrapper.kind !== "withPublic" && wrapper.kind !== "withApiKey") return { kind: wrapper.kind };
    const options = expr.arguments[0];
    if (!options || !ts.isObjectLiteralExpression(options)) return { problem: `${name}'s options must be an object literal so its access can be read` };
    if (options.properties.some((p) => ts.isSpreadAssignment(p))) return { problem: `${name}'s options spread another object, which could hide its access` };
    if (wrapper.kind === "withPublic") {
      const access = propertyNamed(options, "access");
      return access && ts.isPropertyAssignment(access) && ts.isStringLiteral(access.initializer) && access.initializer.text === "public"
        ? { kind: "public" }
        : { problem: 'withPublic needs access: "public"' };
    }
    if (wrapper.kind === "withApiKey") {
      const scope = propertyNamed(options, "scope");
      if (!scope || !ts.isPropertyAssignment(scope) || !ts.isStringLiteral(scope.initializer)) return { problem: "withApiKey's scope must be a string literal" };
      const value = scope.initializer.text;
      if (!(apiScopes as readonly string[]).includes(value)) return { problem: `unknown API scope "${value}"` };
      return { kind: "api-key", scope: value as ApiScope };
    }
    const permission = propertyNamed(options, "permission");
    if (!permission) return { kind: "signed-in" };
    if (!ts.isPropertyAssignment(permission) || !ts.isStringLiteral(permission.initializer)) return { problem: "withOrg's permission must be a string literal" };
    const value = permission.initializer.text;
    if (!(permissions as readonly string[]).includes(value)) return { problem: `unknown permission "${value}"` };
    return { kind: "permission", permission: value as Permission };
  }

  const methods: MethodDeclaration[] = [];
  const problems: string[] = [];
  const add = (name: string, expr: ts.Expression | "function") => {
    if (!(HTTP_METHODS as readonly string[]).includes(name)) return;
    const result = classify(expr);
    methods.push("problem" in result ? { method: name as HttpMethod, problem: result.problem } : { method: name as HttpMethod, access: result });
  };
  for (const stmt of source.statements) {
    if (ts.isVariableStatement(stmt) && exported(stmt)) {
      for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) add(d.name.text, d.initializer);
    } else if (ts.isFunctionDeclaration(stmt) && exported(stmt) && stmt.name) {
      add(stmt.name.text, "function");
    } else if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) {
        if (stmt.moduleSpecifier) {
          problems.push(`${el.name.text} is re-exported from another module; declare its wrapper in the route file`);
          continue;
        }
        const local = (el.propertyName ?? el.name) as ts.Identifier;
        add(el.name.text, locals.get(local.text) ?? local);
      }
    } else if (ts.isExportDeclaration(stmt) && !stmt.exportClause) {
      problems.push("export * hides which methods the route serves");
    }
  }

  const dir = path.posix.dirname(file).replace(/^app/, "");
  const segments = dir.split("/").filter((s) => s && !/^\(.*\)$/.test(s));
  const params = segments.flatMap((s) => {
    const m = s.match(/^\[(\.\.\.)?(\w+)\]$/);
    return m ? [{ name: m[2]!, catchAll: !!m[1] }] : [];
  });
  return { file, pattern: `/${segments.join("/")}`, params, methods, problems };
}

export type PageCheck = {
  /** The page or layout file. */
  file: string;
  /** Each `requirePageUser(...)` call in the file: its permission, or null for "signed in". */
  calls: (Permission | null)[];
  problems: string[];
};

/** The `requirePageUser` calls of a page or layout (imported from lib/auth/session). */
export function scanPageChecks(file: string): PageCheck {
  const source = parse(file);
  const imported = importsOf(source).get("requirePageUser") === "@/lib/auth/session";
  const calls: (Permission | null)[] = [];
  const problems: string[] = [];
  const visit = (node: ts.Node) => {
    if (imported && ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "requirePageUser") {
      const arg = node.arguments[0];
      if (!arg) calls.push(null);
      else if (ts.isStringLiteral(arg) && (permissions as readonly string[]).includes(arg.text)) calls.push(arg.text as Permission);
      else problems.push(`requirePageUser(${arg.getText(source)}): the permission must be a known string literal`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, calls, problems };
}

/** The layouts that wrap a page, outermost first (route groups included). */
export function layoutsOf(pageFile: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.posix.dirname(pageFile); dir.startsWith("app"); dir = path.posix.dirname(dir)) dirs.unshift(dir);
  return dirs.map((d) => `${d}/layout.tsx`).filter((f) => fs.existsSync(path.join(ROOT, f)));
}
