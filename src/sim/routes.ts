import { SimApiError } from "./api-error.js";
import { chatCompletion } from "./chat.js";
import type { HandlerContext } from "./context.js";
import { completion } from "./completions.js";
import type { SimRequest } from "./faults.js";
import type { SimOutput } from "./output.js";
import type { Body } from "./request-fields.js";

/** A reply to send: a handler's output, or a ready JSON body (the model list). */
export type RouteResult = SimOutput | { readonly kind: "plain"; readonly body: string };

/**
 * Dispatches a request (already past faults and auth) to its endpoint:
 * - `POST /v1/chat/completions`, `POST /v1/completions`: the JSON body must be an object (else 400);
 * - `GET /v1/models`, `GET /v1/models/{id}`: the known models (`["sim"]` when any model is accepted);
 * - anything else: 404 `Invalid URL (METHOD /path)`, as OpenAI answers.
 * `hadBody` tells an empty body from one that did not parse, for the 400 message.
 */
export function routeRequest(request: SimRequest, hadBody: boolean, ctx: HandlerContext): RouteResult {
  const { method, path, body } = request;
  if (method === "GET" && path === "/v1/models") {
    return { kind: "plain", body: JSON.stringify({ object: "list", data: (ctx.models ?? ["sim"]).map(modelObject) }) };
  }
  if (method === "GET" && path.startsWith("/v1/models/")) {
    const id = decodeURIComponent(path.slice("/v1/models/".length));
    if (ctx.models && !ctx.models.includes(id)) {
      throw new SimApiError(404, `The model '${id}' does not exist`, "invalid_request_error", "model", "model_not_found");
    }
    return { kind: "plain", body: JSON.stringify(modelObject(id)) };
  }
  const handler =
    method !== "POST" ? undefined : path === "/v1/chat/completions" ? chatCompletion : path === "/v1/completions" ? completion : undefined;
  if (!handler) throw new SimApiError(404, `Invalid URL (${method} ${path})`);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const what = hadBody ? "We could not parse the JSON body of your request." : "You must provide a JSON body.";
    throw new SimApiError(400, `${what} (HINT: This likely means you aren't using your HTTP library correctly.)`);
  }
  return handler(body as Body, request, ctx);
}

function modelObject(id: string) {
  return { id, object: "model", created: 0, owned_by: "streameval-sim" };
}
