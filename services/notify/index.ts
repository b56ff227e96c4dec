export { createNoticeSender } from './noticeSender';
export type { NoticeSender } from './noticeSender';
