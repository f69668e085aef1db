// Pulumi's entry point (Pulumi.yaml `main: stacks/`): an exported function is run as the program
// and its result becomes the stack's outputs.
import { runProgram } from "./program";

export = runProgram;
