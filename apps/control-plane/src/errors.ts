import { problems, type FieldError, type ProblemCode, type ProblemDefinition } from '@fjord/api';

/** An error the API answers with a catalogue entry. Code throws these by name: `new ApiProblem('FJ_NOT_FOUND', ...)`. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  readonly definition: ProblemDefinition;
  readonly errors?: FieldError[];

  constructor(code: ProblemCode, detail?: string, errors?: FieldError[]) {
    super(detail ?? problems[code].title);
    this.definition = problems[code];
    this.errors = errors;
  }
}

export function notFound(resource: string, id: string): ApiProblem {
  return new ApiProblem('FJ_NOT_FOUND', `${resource} ${id} does not exist`);
}
