// Minimal typings for the parts of nlp.js (v4) this project uses; the packages ship none.
declare module '@nlpjs/core' {
  export interface Container {
    use(plugin: unknown): void;
    get(name: 'nlp'): import('@nlpjs/nlp').NlpInstance;
    registerConfiguration(tag: string, settings: Record<string, unknown>, overwrite?: boolean): void;
    register(name: string, instance: unknown, isSingleton?: boolean): void;
  }
  export function containerBootstrap(settings?: Record<string, unknown>): Promise<Container>;
}

declare module '@nlpjs/nlp' {
  export interface NlpClassification {
    intent: string;
    score: number;
  }
  export interface NlpResult {
    intent: string;
    score: number;
    classifications: NlpClassification[];
  }
  export interface NlpInstance {
    settings: Record<string, unknown>;
    addLanguage(locale: string | string[]): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    process(locale: string, utterance: string): Promise<NlpResult>;
    export(minified?: boolean): string;
    import(model: string): void;
  }
  export const Nlp: unknown;
}

declare module '@nlpjs/lang-zh' {
  export const LangZh: unknown;
}

declare module '@nlpjs/lang-en-min' {
  export const LangEn: unknown;
  /** Porter stemmer. */
  export class StemmerEn {
    stem(tokens: string[]): string[];
  }
}
