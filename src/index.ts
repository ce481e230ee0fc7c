export { connect } from './brokers';
export * from './brokers/types';
export * from './core/errors';
export * from './config/types';
export { resolveContext } from './config/resolve';
