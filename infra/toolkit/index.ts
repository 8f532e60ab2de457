export { BOOTSTRAP_ENTRY, adminApiEntry } from "./sources";
export { Toolkit, currentToolkit, entryFiles, toolkitDirectory } from "./build";
export { toolkitStep } from "./step";
export { installHostToolkit } from "./hostToolkit";
