import { join } from 'node:path';
import type { OpenAPIBackend } from 'openapi-backend';
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

const loaded = new Map<string, Promise<BankContract>>();

/**
 * Reads and compiles the contract, once per process and path (the first call does the work). The
 * compiler (openapi-backend, Ajv, yaml: about 4 MB of heap) is loaded then, so a bot on the embedded
 * bank never loads it.
 */
export function loadBankContract(path = BANK_API_PATH): Promise<BankContract> {
  let contract = loaded.get(path);
  if (!contract) {
    contract = import('./compileContract').then(({ compileContract }) => compileContract(path));
    loaded.set(path, contract);
    contract.catch(() => loaded.delete(path));
  }
  return contract;
}
