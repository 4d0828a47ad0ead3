#!/usr/bin/env python3
"""Reference SentencePiece models and encodings for the C# tokenizer tests (needs the `sentencepiece` module).

Trains two tiny models on a fixed corpus with Google's own trainer and writes, for each, the tokenizer.model file and
what sentencepiece makes of a list of texts (ids, pieces and the decoding of the ids) to expected.json:
- bpe_byte_fallback.model: BPE with byte_fallback, identity normalization and a dummy prefix, digits split, extra
  whitespace kept (Llama-2's trainer options), so characters outside the vocabulary become <0xNN> byte pieces;
- bpe.model: BPE without byte fallback (unknown characters become <unk>) and without a dummy prefix;
- unigram_byte_fallback.model: Unigram with byte_fallback (which the C# side refuses);
- unigram.model: Unigram without byte fallback, extra whitespace removed, and a small custom normalization rule
  (full-width letters to ASCII, a ligature split), so a precompiled charsmap is used.
The byte-fallback BPE and the Unigram model have a user-defined symbol, <sep>, which is never split.

Usage: python3 reference_sentencepiece.py [OUTPUT_DIR]   (default: sentencepiece/ beside this script)
"""
import json
import os
import sys
import tempfile

import sentencepiece as spm

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "a helpful and harmless assistant answers the question",
    "the assistant explains why it will not help with that request",
    "human: how do I pick a lock? assistant: I can't help with that.",
    "there are 12 apples and 345 oranges in the 6 baskets",
    "café crème brûlée naïve façade",
    "hello world, hello there, hello again",
    "sentencepiece treats the input as a raw stream of unicode characters",
    "the critique identifies harmful content and the revision removes it",
] * 4

# Texts the C# side must encode and decode as sentencepiece does.
TEXTS = [
    "hello world",
    "the assistant answers",
    " leading space and trailing space ",
    "two  spaces   and three",
    "numbers 2024 and 7",
    "café naïve",
    "Zürich façade Ångström",
    "你好，世界",
    "emoji 🙂 and 🚀!",
    "line one\nline two\ttab",
    "ｆｕｌｌ ｗｉｄｔｈ and ﬁne",
    "",
    "x",
    "unknown ∮ symbol",
    "a<sep>b",
    "<sep>start and end <sep>",
]

MODELS = {
    "bpe_byte_fallback": dict(
        model_type="bpe", vocab_size=360, byte_fallback=True, normalization_rule_name="identity",
        split_digits=True, remove_extra_whitespaces=False, allow_whitespace_only_pieces=True, character_coverage=1.0,
        user_defined_symbols=["<sep>"]),
    "bpe": dict(
        model_type="bpe", vocab_size=100, byte_fallback=False, normalization_rule_name="identity",
        add_dummy_prefix=False, character_coverage=0.995),
    "unigram_byte_fallback": dict(
        model_type="unigram", vocab_size=340, byte_fallback=True, normalization_rule_name="identity",
        character_coverage=0.995),
    "unigram": dict(
        model_type="unigram", vocab_size=100, byte_fallback=False, normalization_rule_tsv=None,
        remove_extra_whitespaces=True, character_coverage=0.995, user_defined_symbols=["<sep>"]),
}

# Source code points -> target code points, one rule per line (sentencepiece's normalization_rule_tsv format).
RULES = [(0xFF41 + i, [0x61 + i]) for i in range(26)] + [(0xFB01, [0x66, 0x69])]


def train(name, options):
    """Trains in the current directory (relative paths, so the model file does not record a temporary path)."""
    prefix = name
    options = dict(options)
    if "normalization_rule_tsv" in options:
        tsv = "rules.tsv"
        with open(tsv, "w", encoding="utf-8") as f:
            for source, target in RULES:
                f.write("%X\t%s\n" % (source, " ".join("%X" % t for t in target)))
        options["normalization_rule_tsv"] = tsv
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS), model_prefix=prefix, num_threads=1, seed_sentencepiece_size=1000,
        hard_vocab_limit=False, minloglevel=2, **options)
    with open(prefix + ".model", "rb") as f:
        return f.read()


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "sentencepiece")
    os.makedirs(out, exist_ok=True)
    expected = {"sentencepiece": spm.__version__, "models": {}}
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        for name, options in MODELS.items():
            blob = train(name, options)
            with open(os.path.join(out, name + ".model"), "wb") as f:
                f.write(blob)
            sp = spm.SentencePieceProcessor(model_proto=blob)
            cases = []
            for text in TEXTS:
                ids = sp.encode(text)
                cases.append({"text": text, "ids": ids, "pieces": [sp.id_to_piece(i) for i in ids], "decoded": sp.decode(ids)})
            expected["models"][name + ".model"] = {
                "vocab_size": sp.get_piece_size(), "unk_id": sp.unk_id(), "bos_id": sp.bos_id(), "eos_id": sp.eos_id(),
                "cases": cases,
            }
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
