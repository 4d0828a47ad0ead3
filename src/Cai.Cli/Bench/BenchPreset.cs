using Cai.Abstractions.Input;
using Cai.Models.Modeling;

namespace Cai.Cli.Bench;

/// <summary>
/// A model shape `cai bench` measures (seeded random weights, normal with std 0.2; eos off so every sequence runs
/// to its new tokens), with the batches, threads and training step it is measured at unless the command line says
/// otherwise.
/// </summary>
/// <param name="Name">The --preset value.</param>
/// <param name="Description">What it stands for.</param>
/// <param name="Config">The model (LlamaForCausalLM).</param>
/// <param name="Batches">Generation batch sizes.</param>
/// <param name="NewTokens">New tokens per sequence.</param>
/// <param name="Threads">Torch CPU threads (null: libtorch's default).</param>
/// <param name="TrainBatch">Rows of a training step (SFT: sequences; DPO: pairs, so twice as many sequences).</param>
/// <param name="TrainSequence">Tokens per training row (the second half is the completion).</param>
public sealed record BenchPreset(string Name, string Description, ModelConfig Config, int[] Batches, int NewTokens, int? Threads, int TrainBatch, int TrainSequence)
{
    public static IReadOnlyList<BenchPreset> All { get; } =
    [
        new("smollm-135m", "SmolLM-135M's shape: 30 layers, hidden 576, intermediate 1536, GQA 9/3, vocab 49152, tied embeddings (134.5M parameters)",
            Llama(vocab: 49152, hidden: 576, intermediate: 1536, layers: 30, heads: 9, kvHeads: 3, tied: true),
            [1, 16, 64], NewTokens: 128, Threads: null, TrainBatch: 4, TrainSequence: 256),
        // The issue's CPU reference model; intermediate 4 x hidden, as a GPT-style MLP would have.
        new("deep-narrow", "30 layers, hidden 64, intermediate 256, 4/2 heads, vocab 512: per-operation overhead dominates, as on a GPU at small batch",
            Llama(vocab: 512, hidden: 64, intermediate: 256, layers: 30, heads: 4, kvHeads: 2, tied: false),
            [1], NewTokens: 128, Threads: 1, TrainBatch: 4, TrainSequence: 256),
        new("six-layer", "6 layers, hidden 384, intermediate 1536, 6/2 heads, vocab 4096: a small model at batch 16 on 2 threads",
            Llama(vocab: 4096, hidden: 384, intermediate: 1536, layers: 6, heads: 6, kvHeads: 2, tied: true),
            [16], NewTokens: 128, Threads: 2, TrainBatch: 8, TrainSequence: 256),
        new("tiny", "2 layers, hidden 64, 4/2 heads, vocab 256: a smoke test of the benchmark itself",
            Llama(vocab: 256, hidden: 64, intermediate: 128, layers: 2, heads: 4, kvHeads: 2, tied: true),
            [1, 4], NewTokens: 16, Threads: 1, TrainBatch: 2, TrainSequence: 32),
    ];

    /// <summary>The preset called <paramref name="name"/>; an <see cref="InputException"/> listing the names otherwise.</summary>
    public static BenchPreset Find(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw InputException.ForOption("--preset", $"{InputError.Quote(name)} is not a preset ({string.Join(", ", All.Select(p => p.Name))})");

    private static ModelConfig Llama(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, bool tied) =>
        ModelConfig.Llama(vocab, hidden, intermediate, layers, heads, kvHeads, maxPositionEmbeddings: 2048, tieWordEmbeddings: tied, rmsNormEps: 1e-5)
            with { EosTokenIds = [] };
}
