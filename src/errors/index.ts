export * from './extension.errors.js';
export * from './describe-thrown.js';
