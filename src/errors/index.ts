export * from './extension.errors.js';
export * from './describe-thrown.js';
export * from './provider.errors.js';
