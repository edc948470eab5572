import * as tf from "@tensorflow/tfjs-core";
import type { MathNode } from "mathjs/number";

import { DlError, listNames } from "@dl/tensor-core";

import { libraries } from "../platform/libraries.js";

/** The parsed form we evaluate: only numbers, named variables, arithmetic and whitelisted functions. */
type Expr =
  | { kind: "num"; value: number }
  | { kind: "var"; name: string }
  | { kind: "neg"; arg: Expr }
  | { kind: "bin"; op: "+" | "-" | "*" | "/" | "^"; a: Expr; b: Expr }
  | { kind: "call"; fn: UnaryFunction; arg: Expr };

interface UnaryImpl {
  tensor: (x: tf.Tensor) => tf.Tensor;
  number: (x: number) => number;
}

const UNARY: Record<string, UnaryImpl> = {
  sin: { tensor: tf.sin, number: Math.sin },
  cos: { tensor: tf.cos, number: Math.cos },
  tan: { tensor: tf.tan, number: Math.tan },
  tanh: { tensor: tf.tanh, number: Math.tanh },
  sinh: { tensor: tf.sinh, number: Math.sinh },
  cosh: { tensor: tf.cosh, number: Math.cosh },
  asinh: { tensor: tf.asinh, number: Math.asinh },
  atan: { tensor: tf.atan, number: Math.atan },
  exp: { tensor: tf.exp, number: Math.exp },
  log: { tensor: tf.log, number: Math.log },
  log1p: { tensor: tf.log1p, number: Math.log1p },
  sqrt: { tensor: tf.sqrt, number: Math.sqrt },
  abs: { tensor: tf.abs, number: Math.abs },
  sigmoid: { tensor: tf.sigmoid, number: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) },
  softplus: { tensor: tf.softplus, number: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))) },
};
type UnaryFunction = keyof typeof UNARY;

export const EXPRESSION_FUNCTIONS: readonly string[] = Object.keys(UNARY);
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/**
 * A user expression in named variables, parsed by mathjs (no `eval`) into a whitelisted tree, then
 * evaluated either on float64 numbers (root finding) or with tfjs ops (so autodiff gives derivatives).
 */
export interface Expression {
  readonly text: string;
  readonly variables: readonly string[];
  evaluate(values: readonly number[]): number;
  evaluateTensor(values: readonly tf.Tensor[]): tf.Tensor;
}

export function parseExpression(text: string, variables: readonly string[]): Expression {
  const parse = libraries.get("parse");
  let node: MathNode;
  try {
    node = parse(text);
  } catch (error) {
    throw malformed(text, variables, (error as Error).message);
  }
  const tree = lower(node, text, variables);
  return {
    text,
    variables,
    evaluate: (values) => evalNumber(tree, variables, values),
    evaluateTensor: (values) => evalTensor(tree, variables, values),
  };
}

function malformed(text: string, variables: readonly string[], why: string): DlError {
  return new DlError(
    "INVALID_ARGUMENT",
    `Malformed expression "${text}": ${why}. Use the variable${variables.length > 1 ? "s" : ""} ${listNames(variables)}, numbers, + - * / ^, constants pi and e, and the functions ${listNames(EXPRESSION_FUNCTIONS)}.`,
  );
}

function lower(node: MathNode, text: string, variables: readonly string[]): Expr {
  const n = node as MathNode & Record<string, unknown>;
  switch (node.type) {
    case "ParenthesisNode":
      return lower(n["content"] as MathNode, text, variables);
    case "ConstantNode": {
      const value = n["value"];
      if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(text, variables, `unsupported constant ${String(value)}`);
      return { kind: "num", value };
    }
    case "SymbolNode": {
      const name = n["name"] as string;
      if (variables.includes(name)) return { kind: "var", name };
      // Own properties only: "toString" or "__proto__" must not reach Object.prototype.
      const c = Object.hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined;
      if (c !== undefined) return { kind: "num", value: c };
      throw malformed(text, variables, `unknown symbol "${name}"`);
    }
    case "OperatorNode": {
      const op = n["op"] as string;
      const args = (n["args"] as MathNode[]).map((a) => lower(a, text, variables));
      if (args.length === 1 && op === "-") return { kind: "neg", arg: args[0] as Expr };
      if (args.length === 1 && op === "+") return args[0] as Expr;
      if (args.length === 2 && (op === "+" || op === "-" || op === "*" || op === "/" || op === "^")) {
        return { kind: "bin", op, a: args[0] as Expr, b: args[1] as Expr };
      }
      throw malformed(text, variables, `unsupported operator "${op}"`);
    }
    case "FunctionNode": {
      const fnNode = n["fn"] as MathNode & { name?: string };
      const name = fnNode.name ?? "";
      const args = n["args"] as MathNode[];
      if (!Object.hasOwn(UNARY, name)) throw malformed(text, variables, `unknown function "${name}"`);
      if (args.length !== 1) throw malformed(text, variables, `${name}() takes one argument`);
      return { kind: "call", fn: name, arg: lower(args[0] as MathNode, text, variables) };
    }
    default:
      throw malformed(text, variables, `unsupported syntax (${node.type})`);
  }
}

function evalNumber(e: Expr, variables: readonly string[], values: readonly number[]): number {
  switch (e.kind) {
    case "num":
      return e.value;
    case "var":
      return values[variables.indexOf(e.name)] ?? Number.NaN;
    case "neg":
      return -evalNumber(e.arg, variables, values);
    case "call":
      return (UNARY[e.fn] as UnaryImpl).number(evalNumber(e.arg, variables, values));
    case "bin": {
      const a = evalNumber(e.a, variables, values);
      const b = evalNumber(e.b, variables, values);
      switch (e.op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "^":
          return a ** b;
      }
    }
  }
}

function evalTensor(e: Expr, variables: readonly string[], values: readonly tf.Tensor[]): tf.Tensor {
  switch (e.kind) {
    case "num":
      return tf.scalar(e.value);
    case "var": {
      const v = values[variables.indexOf(e.name)];
      if (v === undefined) throw new DlError("INVALID_ARGUMENT", `No value given for variable "${e.name}".`);
      return v;
    }
    case "neg":
      return tf.neg(evalTensor(e.arg, variables, values));
    case "call":
      return (UNARY[e.fn] as UnaryImpl).tensor(evalTensor(e.arg, variables, values));
    case "bin": {
      const a = evalTensor(e.a, variables, values);
      // Integer powers as products: tf.pow's gradient also differentiates the exponent via log(base).
      if (e.op === "^" && e.b.kind === "num" && Number.isInteger(e.b.value) && Math.abs(e.b.value) <= 8) {
        return integerPower(a, e.b.value);
      }
      const b = evalTensor(e.b, variables, values);
      switch (e.op) {
        case "+":
          return tf.add(a, b);
        case "-":
          return tf.sub(a, b);
        case "*":
          return tf.mul(a, b);
        case "/":
          return tf.div(a, b);
        case "^":
          return tf.pow(a, b);
      }
    }
  }
}

function integerPower(a: tf.Tensor, k: number): tf.Tensor {
  if (k === 0) return tf.onesLike(a);
  let out = a;
  for (let i = 1; i < Math.abs(k); i++) out = tf.mul(out, a);
  return k < 0 ? tf.reciprocal(out) : out;
}
