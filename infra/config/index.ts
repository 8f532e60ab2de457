// The config layer's public surface as the program and the operator CLIs import it: the error an invalid stack
// raises, the config namespace and the problem builder. The schema, defaults and loading are read by the plan
// layer through their own files.
export { ConfigError, NAMESPACE, problem } from "./errors";
