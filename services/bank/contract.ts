import addFormats from 'ajv-formats';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { parse } from 'yaml';
import { projectRoot } from '../platform/projectRoot';

/** Where the bank core's HTTP contract is written down (OpenAPI 3.1). */
export const BANK_API_PATH = join(projectRoot(__dirname, 2), 'docs', 'bank-api.yaml');

/** The operations of the contract, by operationId. */
export const BANK_OPERATIONS = ['verifyIdentity', 'phoneOwner', 'changeBoundPhone', 'boundPhone'] as const;
export type BankOperation = (typeof BANK_OPERATIONS)[number];

/** A request as the contract sees it (header names lower-case). */
export interface ContractRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: unknown;
}

/**
 * docs/bank-api.yaml, compiled: what a request or an answer must look like. Both the adapter (every
 * answer it gets) and the reference server (every request it gets) check against the same document,
 * with openapi-backend (its JSON Schema validation is Ajv's, with ajv-formats for `date-time`).
 */
export interface BankContract {
  /** Why an answer breaks the contract, or undefined when it conforms. */
  answerProblem(operation: BankOperation, status: number, body: unknown): string | undefined;
  /** Why a request breaks the contract, or undefined when it conforms. */
  requestProblem(request: ContractRequest): string | undefined;
  /** The operation a request is for, or undefined when no operation has its method and path. */
  operationOf(request: Pick<ContractRequest, 'method' | 'path'>): BankOperation | undefined;
  /** The API, for a server that routes with it. */
  readonly api: OpenAPIBackend;
}

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

const loaded = new Map<string, Promise<BankContract>>();

/** Reads and compiles the contract, once per process and path (the first call does the work). */
export function loadBankContract(path = BANK_API_PATH): Promise<BankContract> {
  let contract = loaded.get(path);
  if (!contract) {
    contract = compileContract(path);
    loaded.set(path, contract);
    contract.catch(() => loaded.delete(path));
  }
  return contract;
}

async function compileContract(path: string): Promise<BankContract> {
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
