/**
 * Domain errors. Services throw these; the HTTP layer turns them into RFC 9457 problem+json.
 * Kept free of express so domain code can be used from workers and scripts alike.
 */
export interface FieldProblem {
  /** Dotted path of the offending input field, e.g. "customer.phone". */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly fields: FieldProblem[],
    detail?: string,
  ) {
    super(400, 'Invalid request', detail ?? fields.map((f) => `${f.field}: ${f.message}`).join('; '), { errors: fields });
  }
}

export const notFound = (what: string) => new AppError(404, 'Not found', `${what} was not found`);
export const conflict = (detail: string, extra?: Record<string, unknown>) => new AppError(409, 'Conflict', detail, extra);
export const unprocessable = (detail: string, extra?: Record<string, unknown>) => new AppError(422, 'Unprocessable request', detail, extra);
export const invalidField = (field: string, message: string) => new ValidationError([{ field, message }]);
