import addFormats from 'ajv-formats';
import { readFile } from 'node:fs/promises';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { parse } from 'yaml';
import type { BankContract, BankOperation } from './contract';

/**
 * openapi-backend, given the document already parsed: its own loader imports an ESM-only $ref parser
 * at run time, which jest cannot, and which this document (internal $refs only, dereferenced by the
 * quick path) does not need.
 */
class ParsedDocumentBackend extends OpenAPIBackend {
  override async loadDocument(): Promise<Document> {
    this.document = this.inputDocument as Document;
    return this.document;
  }
}

/** docs/bank-api.yaml (or another OpenAPI document at `path`), compiled: see `loadBankContract`. */
export async function compileContract(path: string): Promise<BankContract> {
  const definition = parse(await readFile(path, 'utf8')) as Document;
  // quick: openapi-backend checks documents against the OpenAPI 3.0 schema only; this one is 3.1 and is
  // checked as such by the contract test (@seriousme/openapi-schema-validator).
  const api = new ParsedDocumentBackend({
    definition,
    quick: true,
    customizeAjv: (ajv) => {
      addFormats(ajv, ['date-time']);
      return ajv;
    },
  });
  await api.init();
  const describe = (errors: ReadonlyArray<{ instancePath?: string; message?: string }> | null | undefined): string =>
    (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`).join('; ') || 'invalid';
  return {
    api,
    answerProblem(operation, status, body) {
      const result = api.validateResponse(body, operation, status);
      return result.valid ? undefined : describe(result.errors);
    },
    requestProblem(request) {
      const result = api.validateRequest({ ...request, method: request.method.toLowerCase() });
      return result.valid ? undefined : describe(result.errors);
    },
    operationOf(request) {
      const operation = api.matchOperation({ method: request.method.toLowerCase(), path: request.path, headers: {} });
      return operation?.operationId as BankOperation | undefined;
    },
  };
}
