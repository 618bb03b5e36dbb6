/**
 * SentencePiece's ModelProto (sentencepiece_model.proto): the pieces with their scores and
 * types, the trainer settings that matter to encoding and to manifests, and the normalizer.
 * Field numbers are the format's; unknown fields are skipped on read.
 */
import { ProtoReader, ProtoWriter, WIRE_I32, WIRE_LEN, WIRE_VARINT } from "./protobuf.ts";

export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

export interface Piece {
  piece: string;
  score: number;
  type: number;
}

export interface NormalizerSpec {
  name: string;
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  normalizationRuleTsv: string;
}

/** The TrainerSpec fields gamma reads or writes; the rest keep their proto defaults. */
export interface TrainerSpec {
  input: string[];
  modelPrefix: string;
  modelType: number; // 1 unigram, 2 bpe, 3 word, 4 char
  vocabSize: number;
  characterCoverage: number;
  inputSentenceSize: number;
  shuffleInputSentence: boolean;
  seedSentencepieceSize: number;
  shrinkingFactor: number;
  maxSentenceLength: number;
  numThreads: number;
  numSubIterations: number;
  maxSentencepieceLength: number;
  splitByUnicodeScript: boolean;
  splitByNumber: boolean;
  splitByWhitespace: boolean;
  treatWhitespaceAsSuffix: boolean;
  allowWhitespaceOnlyPieces: boolean;
  splitDigits: boolean;
  controlSymbols: string[];
  userDefinedSymbols: string[];
  requiredChars: string;
  byteFallback: boolean;
  vocabularyOutputPieceScore: boolean;
  hardVocabLimit: boolean;
  useAllVocab: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  bosPiece: string;
  eosPiece: string;
  padPiece: string;
  unkSurface: string;
}

export interface ModelProto {
  pieces: Piece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  denormalizerSpec: NormalizerSpec | null;
}

export function defaultTrainerSpec(): TrainerSpec {
  return {
    input: [],
    modelPrefix: "",
    modelType: 1,
    vocabSize: 8000,
    characterCoverage: 0.9995,
    inputSentenceSize: 0,
    shuffleInputSentence: true,
    seedSentencepieceSize: 1000000,
    shrinkingFactor: 0.75,
    maxSentenceLength: 4192,
    numThreads: 16,
    numSubIterations: 2,
    maxSentencepieceLength: 16,
    splitByUnicodeScript: true,
    splitByNumber: true,
    splitByWhitespace: true,
    treatWhitespaceAsSuffix: false,
    allowWhitespaceOnlyPieces: false,
    splitDigits: false,
    controlSymbols: [],
    userDefinedSymbols: [],
    requiredChars: "",
    byteFallback: false,
    vocabularyOutputPieceScore: true,
    hardVocabLimit: true,
    useAllVocab: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: "<unk>",
    bosPiece: "<s>",
    eosPiece: "</s>",
    padPiece: "<pad>",
    unkSurface: " \u2047 ",
  };
}

export function defaultNormalizerSpec(): NormalizerSpec {
  return {
    name: "",
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
    normalizationRuleTsv: "",
  };
}

type Kind = "string" | "strings" | "int" | "bool" | "float";
// field number -> [TrainerSpec key, kind]
const TRAINER_FIELDS: Record<number, [keyof TrainerSpec, Kind]> = {
  1: ["input", "strings"],
  2: ["modelPrefix", "string"],
  3: ["modelType", "int"],
  4: ["vocabSize", "int"],
  10: ["characterCoverage", "float"],
  11: ["inputSentenceSize", "int"],
  19: ["shuffleInputSentence", "bool"],
  14: ["seedSentencepieceSize", "int"],
  15: ["shrinkingFactor", "float"],
  18: ["maxSentenceLength", "int"],
  16: ["numThreads", "int"],
  17: ["numSubIterations", "int"],
  20: ["maxSentencepieceLength", "int"],
  21: ["splitByUnicodeScript", "bool"],
  23: ["splitByNumber", "bool"],
  22: ["splitByWhitespace", "bool"],
  24: ["treatWhitespaceAsSuffix", "bool"],
  26: ["allowWhitespaceOnlyPieces", "bool"],
  25: ["splitDigits", "bool"],
  30: ["controlSymbols", "strings"],
  31: ["userDefinedSymbols", "strings"],
  36: ["requiredChars", "string"],
  35: ["byteFallback", "bool"],
  32: ["vocabularyOutputPieceScore", "bool"],
  33: ["hardVocabLimit", "bool"],
  34: ["useAllVocab", "bool"],
  40: ["unkId", "int"],
  41: ["bosId", "int"],
  42: ["eosId", "int"],
  43: ["padId", "int"],
  45: ["unkPiece", "string"],
  46: ["bosPiece", "string"],
  47: ["eosPiece", "string"],
  48: ["padPiece", "string"],
  44: ["unkSurface", "string"],
};

function wireOf(kind: Kind): number {
  return kind === "float" ? WIRE_I32 : kind === "string" || kind === "strings" ? WIRE_LEN : WIRE_VARINT;
}

function readTrainer(r: ProtoReader): TrainerSpec {
  const t = defaultTrainerSpec() as unknown as Record<string, unknown>;
  while (!r.done()) {
    const [field, wire] = r.key();
    const f = TRAINER_FIELDS[field];
    if (f === undefined || wire !== wireOf(f[1])) {
      r.skip(wire);
      continue;
    }
    const [name, kind] = f;
    if (kind === "strings") (t[name] as string[]).push(r.string());
    else if (kind === "string") t[name] = r.string();
    else if (kind === "float") t[name] = r.float();
    else if (kind === "bool") t[name] = r.varint() !== 0;
    else t[name] = r.int32();
  }
  return t as unknown as TrainerSpec;
}

function readNormalizer(r: ProtoReader): NormalizerSpec {
  const n = defaultNormalizerSpec();
  while (!r.done()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === WIRE_LEN) n.name = r.string();
    else if (field === 2 && wire === WIRE_LEN) n.precompiledCharsmap = r.bytesField();
    else if (field === 3 && wire === WIRE_VARINT) n.addDummyPrefix = r.varint() !== 0;
    else if (field === 4 && wire === WIRE_VARINT) n.removeExtraWhitespaces = r.varint() !== 0;
    else if (field === 5 && wire === WIRE_VARINT) n.escapeWhitespaces = r.varint() !== 0;
    else if (field === 6 && wire === WIRE_LEN) n.normalizationRuleTsv = r.string();
    else r.skip(wire);
  }
  return n;
}

function readPiece(r: ProtoReader): Piece {
  const p: Piece = { piece: "", score: 0, type: PieceType.NORMAL };
  while (!r.done()) {
    const [field, wire] = r.key();
    if (field === 1 && wire === WIRE_LEN) p.piece = r.string();
    else if (field === 2 && wire === WIRE_I32) p.score = r.float();
    else if (field === 3 && wire === WIRE_VARINT) p.type = r.varint();
    else r.skip(wire);
  }
  return p;
}

/** Parses a `.model` file; throws Error with the byte offset on malformed input. */
export function decodeModelProto(bytes: Uint8Array, what = "SentencePiece model"): ModelProto {
  const r = new ProtoReader(bytes, 0, bytes.length, what);
  const m: ModelProto = {
    pieces: [],
    trainerSpec: defaultTrainerSpec(),
    normalizerSpec: defaultNormalizerSpec(),
    denormalizerSpec: null,
  };
  const sub = (): ProtoReader => {
    const [s, e] = r.span();
    return new ProtoReader(bytes, s, e, what);
  };
  while (!r.done()) {
    const [field, wire] = r.key();
    if (wire !== WIRE_LEN) {
      r.skip(wire);
      continue;
    }
    if (field === 1) m.pieces.push(readPiece(sub()));
    else if (field === 2) m.trainerSpec = readTrainer(sub());
    else if (field === 3) m.normalizerSpec = readNormalizer(sub());
    else if (field === 5) m.denormalizerSpec = readNormalizer(sub());
    else r.skip(wire);
  }
  return m;
}

function writeNormalizer(n: NormalizerSpec): ProtoWriter {
  const w = new ProtoWriter().string(1, n.name);
  if (n.precompiledCharsmap.length > 0) w.bytes(2, n.precompiledCharsmap);
  w.bool(3, n.addDummyPrefix).bool(4, n.removeExtraWhitespaces).bool(5, n.escapeWhitespaces);
  if (n.normalizationRuleTsv !== "") w.string(6, n.normalizationRuleTsv);
  return w;
}

function writeTrainer(t: TrainerSpec): ProtoWriter {
  const w = new ProtoWriter();
  const fields = Object.entries(TRAINER_FIELDS)
    .map(([k, v]) => [Number(k), v] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [field, [name, kind]] of fields) {
    const v = t[name];
    if (kind === "strings") for (const s of v as string[]) w.string(field, s);
    else if (kind === "string") {
      if (v !== "") w.string(field, v as string);
    } else if (kind === "float") w.float(field, v as number);
    else if (kind === "bool") w.bool(field, v as boolean);
    else w.varint(field, v as number);
  }
  return w;
}

/** Serialises a ModelProto the way SentencePiece reads it (fields in number order). */
export function encodeModelProto(m: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  for (const p of m.pieces) {
    const pw = new ProtoWriter().string(1, p.piece).float(2, p.score);
    if (p.type !== PieceType.NORMAL) pw.varint(3, p.type);
    w.message(1, pw);
  }
  w.message(2, writeTrainer(m.trainerSpec));
  w.message(3, writeNormalizer(m.normalizerSpec));
  if (m.denormalizerSpec !== null) w.message(5, writeNormalizer(m.denormalizerSpec));
  return w.finish();
}
