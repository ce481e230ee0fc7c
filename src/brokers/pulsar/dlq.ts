import { UnsupportedError } from '../../cli/errors';
import type { DlqAccess } from '../dlq';
import type { PulsarConnection } from './connection';
export class PulsarDlq implements DlqAccess {
  constructor(readonly connection: PulsarConnection) {}
  private no(): never {
    throw new UnsupportedError('not yet');
  }
  list(): never {
    return this.no();
  }
  // eslint-disable-next-line require-yield
  async *browse(): AsyncGenerator<never> {
    this.no();
  }
  depth(): never {
    return this.no();
  }
  replay(): never {
    return this.no();
  }
  purge(): never {
    return this.no();
  }
}
