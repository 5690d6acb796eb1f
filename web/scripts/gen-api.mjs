// Generates src/api/schema.ts, the API's types, from the API document src/gateway/openapi.json
// with openapi-typescript (npm run gen:api; build, typecheck, test and lint run it first).
// The file is replaced in one rename, and only when its text changes, so that type checks, tests
// and the dev server running at the same time never read half of it.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

const documentUrl = new URL("../../src/gateway/openapi.json", import.meta.url);
const outputUrl = new URL("../src/api/schema.ts", import.meta.url);

const ast = await openapiTS(documentUrl, {
  // Runtime arrays of each enum's values (APP_PHASES, AGENTS...), typed from the document.
  enumValues: true,
  // A bare "type": "object" (App.settings) is Record<string, unknown>, not Record<string, never>.
  emptyObjectsUnknown: true,
  // A request field with a default stays optional: the gateway applies the default.
  defaultNonNullable: false,
  silent: true,
});
const text = COMMENT_HEADER + astToString(ast);

let current = null;
try {
  current = readFileSync(outputUrl, "utf8");
} catch {
  // Not generated yet.
}
if (current !== text) {
  const temporary = new URL(`schema.ts.${process.pid}.tmp`, outputUrl);
  writeFileSync(temporary, text);
  renameSync(temporary, outputUrl);
}
