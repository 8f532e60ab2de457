/**
 * The command text of a step that runs a toolkit entry: the entry, the hash of exactly the files it runs, its params
 * and file. Pure apart from reading this checkout's toolkit once.
 */
import { StepInvocation, stepCommand } from "../contracts/toolkit";
import { Toolkit, currentToolkit, entryFiles } from "./build";

export type StepInput = Omit<StepInvocation, "entry" | "sha256">;

export function toolkitStep(entry: string, input: StepInput = {}, toolkit: Toolkit = currentToolkit()): string {
  return stepCommand({ entry, sha256: entryFiles(toolkit, entry).sha256, ...input });
}
