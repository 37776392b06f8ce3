/**
 * An Omise error the emulator answers with: `{ object: 'error', location, code, message }`
 * and an HTTP status (https://docs.omise.co/errors-api). Every state rule and validation
 * failure throws one; the HTTP layer maps it to a response in one place.
 */
export class OmiseApiError extends Error {
  override readonly name = 'OmiseApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The JSON body Omise sends; `location` points at the error's documentation anchor. */
  toJSON(): OmiseErrorBody {
    return {
      object: 'error',
      location: `https://www.omise.co/api-errors#${this.code.replace(/_/g, '-')}`,
      code: this.code,
      message: this.message,
    };
  }
}

export interface OmiseErrorBody {
  object: 'error';
  location: string;
  code: string;
  message: string;
}

export const notFound = (kind: string, id: string): OmiseApiError =>
  new OmiseApiError(404, 'not_found', `${kind} ${id} was not found`);

export const badRequest = (message: string): OmiseApiError =>
  new OmiseApiError(400, 'bad_request', message);
