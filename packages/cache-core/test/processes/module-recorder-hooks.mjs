// Module resolution hooks (node:module register) that append every resolved module URL to the file
// named in `data.file`, synchronously, so the list is complete as soon as an import resolves.
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, `${result.url}\n`);
  return result;
}
