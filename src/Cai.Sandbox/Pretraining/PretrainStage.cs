using System.ComponentModel.DataAnnotations;
using Cai.Abstractions.Plugins;
using Cai.Core.Pipeline;
using Cai.Core.Runs;
using Cai.Core.Stages;
using Cai.Models.Checkpoints;
using Cai.Models.IO;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Documents;
using Microsoft.Extensions.Logging;

namespace Cai.Sandbox.Pretraining;

/// <summary>
/// pretrain: builds the toy world's corpus, trains a byte-level BPE tokenizer on it, and pretrains a small Llama-style
/// model from scratch with the causal LM loss (AdamW with weight decay, warmup + cosine, clipping, resumable).
/// </summary>
public sealed record PretrainOptions : StageOptions, IValidatableObject
{
    /// <summary>Documents in the generated corpus.</summary>
    [Range(1, 100_000_000)]
    public int Documents { get; init; } = 60000;

    /// <summary>Vocabulary size of the BPE tokenizer (special tokens and the 256 bytes included).</summary>
    [Range(260, 1 << 20)]
    public int VocabSize { get; init; } = 1024;

    /// <summary>Width of the residual stream.</summary>
    [Range(2, 1 << 16)]
    public int HiddenSize { get; init; } = 192;

    /// <summary>Width of the SwiGLU MLP.</summary>
    [Range(1, 1 << 18)]
    public int IntermediateSize { get; init; } = 512;

    /// <summary>Decoder layers.</summary>
    [Range(1, 1024)]
    public int NumHiddenLayers { get; init; } = 4;

    /// <summary>Query heads.</summary>
    [Range(1, 1024)]
    public int NumAttentionHeads { get; init; } = 6;

    /// <summary>Key/value heads (grouped-query attention).</summary>
    [Range(1, 1024)]
    public int NumKeyValueHeads { get; init; } = 2;

    /// <summary>Longest sequence the model handles (prompts with few-shot examples included).</summary>
    [Range(2, 1 << 20)]
    public int MaxPositionEmbeddings { get; init; } = 768;

    /// <summary>Tokens per packed training block.</summary>
    [Range(2, 1 << 20)]
    public int BlockSize { get; init; } = 256;

    /// <summary>Optimizer steps (each of batch_size blocks).</summary>
    [Range(1, 100_000_000)]
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Peak learning rate.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Linear warmup steps.</summary>
    [Range(0, 100_000_000)]
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW weight decay (not on biases, norms, embeddings).</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>Floor of the cosine schedule as a fraction of the peak.</summary>
    [Range(0.0, 1.0)]
    public double MinLearningRateRatio { get; init; } = 0.1;

    /// <summary>Steps between resumable checkpoints.</summary>
    [Range(0, int.MaxValue)]
    public int SaveSteps { get; init; } = 250;

    /// <summary>Steps between metric rows.</summary>
    [Range(1, int.MaxValue)]
    public int LoggingSteps { get; init; } = 25;

    /// <summary>Also copy the final checkpoint here (e.g. ../models/cai-tiny-base), relative to the recipe file.</summary>
    [RecipePath]
    public string? Export { get; init; }

    /// <summary>The model's shape must be one the Llama implementation builds.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HiddenSize % NumAttentionHeads != 0)
            yield return new ValidationResult($"({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads})",
                [nameof(HiddenSize)]);
        else if (HiddenSize / NumAttentionHeads % 2 != 0)
            yield return new ValidationResult(
                $"({HiddenSize}) / num_attention_heads ({NumAttentionHeads}) must be even (rotary embeddings rotate pairs)",
                [nameof(HiddenSize)]);
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            yield return new ValidationResult($"({NumKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})",
                [nameof(NumKeyValueHeads)]);
        if (BlockSize > MaxPositionEmbeddings)
            yield return new ValidationResult($"({BlockSize}) must be at most max_position_embeddings ({MaxPositionEmbeddings})",
                [nameof(BlockSize)]);
    }
}

/// <summary>
/// pretrain: corpus → tokenizer → a Llama-style model trained from scratch on packed blocks. Each step's product is
/// kept in the stage folder, so a resumed stage continues from the last resumable checkpoint.
/// </summary>
public sealed class PretrainStage : IStage
{
    const string EndOfText = ChatTranscript.EndOfText;
    const string Padding = "<|pad|>";

    /// <summary>The pretrain stage kind, which registers with <see cref="ToyWorld.Register"/>.</summary>
    public static readonly StageKind Kind = new("pretrain", typeof(PretrainOptions), new PretrainStage(),
        "Pretrain the tiny base model on the toy world's corpus.")
    { Trains = true, Creates = ["policy"] };

    public Task<StageOutcome> RunAsync(StageContext context)
    {
        var options = context.Options<PretrainOptions>();
        var layout = context.Layout;
        Directory.CreateDirectory(layout.Directory);
        string corpusPath = Path.Combine(layout.Directory, "corpus.txt");
        if (!File.Exists(corpusPath))
        {
            var statistics = CorpusWriter.Write(corpusPath, (int)context.Seed, options.Documents);
            context.Logger.LogInformation("corpus: {Documents} documents, {Characters} characters", statistics.Documents, statistics.Characters);
        }
        var documents = File.ReadAllText(corpusPath).Split(EndOfText, StringSplitOptions.RemoveEmptyEntries);
        var tokenizer = TrainedTokenizer(Path.Combine(layout.Directory, "tokenizer"), documents, options);
        var blocks = DocumentPacker.Pack(documents.Select(d => tokenizer.Encode(d)), tokenizer.EosTokenId!.Value, options.BlockSize);
        int evalCount = Math.Max(1, blocks.Count / 100);
        var eval = blocks.Take(evalCount).Chunk(options.BatchSize).Select(c => BatchCollator.Blocks(c)).ToList();
        var train = blocks.Skip(evalCount).ToList();

        var config = ModelConfig.Llama(tokenizer.VocabSize, options.HiddenSize, options.IntermediateSize, options.NumHiddenLayers,
            options.NumAttentionHeads, options.NumKeyValueHeads, options.MaxPositionEmbeddings, tieWordEmbeddings: true)
            with
        { BosTokenId = tokenizer.BosTokenId, EosTokenIds = [tokenizer.EosTokenId!.Value], PadTokenId = tokenizer.PadTokenId };
        using var model = context.Factory.CreateForTraining(config, context.Seed);
        var resume = ResumableCheckpoint.TryLoad(layout.TrainingState, model, context.ResumeStep);

        var trainingOptions = new TrainingOptions
        {
            MaxSteps = options.MaxSteps,
            LearningRate = options.LearningRate,
            WarmupSteps = options.WarmupSteps,
            WeightDecay = options.WeightDecay,
            MinLearningRateRatio = options.MinLearningRateRatio,
            SaveSteps = options.SaveSteps,
            LoggingSteps = options.LoggingSteps,
            EvalSteps = options.SaveSteps,
            Seed = (int)context.Seed,
        };
        var loop = CausalLMTrainingLoop.Create(model, trainingOptions, context.Factory.TorchDevice);
        var metrics = new MetricsLog(layout.Metrics);
        metrics.TruncateAfter(resume?.Step ?? 0); // rows past the last save are written again
        context.Observer.StageStarted(context.Stage.Id, "pretrain", options.MaxSteps);
        loop.OnLog = m =>
        {
            metrics.Write(m.ToRow(), m.Step);
            context.Observer.StageProgress(context.Stage.Id, m.Step, m.Loss is { } loss ? $"loss {loss:F3}, {m.TokensPerSecond:F0} tok/s" : null);
        };
        loop.OnCheckpoint = state => ResumableCheckpoint.Save(layout.TrainingState, model, state, keep: 2);
        loop.Run(epoch => BatchPlanner.Shuffled(train.Count, options.BatchSize, (int)context.Seed, epoch)
                .Select(batch => BatchCollator.Blocks(batch.Select(i => train[i]).ToList())).ToList(),
            eval, resume, context.CancellationToken);

        CheckpointWriter.Save(model, layout.Checkpoint, tokenizer);
        if (options.Export is { } export) AtomicFile.CopyDirectory(layout.Checkpoint, export);
        var last = metrics.Read().LastOrDefault(r => r["eval_loss"] is not null);
        var summary = new Dictionary<string, double> { ["parameters"] = AdamWFactory.CountParameters(model) };
        if (last is not null) summary["eval_loss"] = last["eval_loss"]!.GetValue<double>();
        return Task.FromResult(new StageOutcome(blocks.Count, summary, new Dictionary<string, string> { ["policy"] = layout.Checkpoint }));
    }

    static TextTokenizer TrainedTokenizer(string directory, IReadOnlyList<string> documents, PretrainOptions options)
    {
        if (File.Exists(Path.Combine(directory, "tokenizer.json"))) return TextTokenizer.Load(directory);
        var trainer = new BpeTrainer(new BpeTrainerOptions(options.VocabSize, [EndOfText, Padding]));
        var tokenizer = trainer.TrainTokenizer(documents, new SpecialTokens(Eos: EndOfText, Pad: Padding));
        tokenizer.Save(directory);
        return tokenizer;
    }
}
