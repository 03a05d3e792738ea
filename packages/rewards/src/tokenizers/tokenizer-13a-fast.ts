import { tokenize13aRegexp } from "./tokenizer-13a.js";

export const tokenize13a: (line: string) => string[] = tokenize13aRegexp;
