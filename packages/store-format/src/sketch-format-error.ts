import { ObsError } from '@obs/core';
import { STORE_FORMAT_ERROR_CODES } from './sqlite/sqlite-schema-error.js';

/** Bytes handed to `LatencySketch.decode` are not an encoded sketch; the message says what is wrong. */
export class SketchFormatError extends ObsError<typeof STORE_FORMAT_ERROR_CODES.SKETCH_FORMAT> {
  constructor(message: string) {
    super(STORE_FORMAT_ERROR_CODES.SKETCH_FORMAT, message);
    this.name = 'SketchFormatError';
  }
}
