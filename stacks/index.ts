// The Pulumi program of every stack (`pulumi up -s dev`, `-s prod`): its exports are the stack outputs.
import { gamedbProgram } from "../infra/program";

export = gamedbProgram();
