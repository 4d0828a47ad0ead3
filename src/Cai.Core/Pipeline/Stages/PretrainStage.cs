using Cai.Core.Recipes.Stages;
using Cai.Core.Runs;
using Cai.Models.Checkpoints;
using Cai.Models.Modeling;
using Cai.Models.Tokenization;
using Cai.Models.Training;
using Cai.Sandbox.Corpus;
using Cai.Sandbox.Documents;
using Microsoft.Extensions.Logging;

namespace Cai.Core.Pipeline.Stages;

/// <summary>
/// pretrain: corpus → tokenizer → a Llama-style model trained from scratch on packed blocks. Each step's product is
/// kept in the stage folder, so a resumed stage continues from the last resumable checkpoint.
/// </summary>
public sealed class PretrainStage : IStage
{
    public const string EndOfText = ChatTranscript.EndOfText;
    public const string Padding = "<|pad|>";

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
            with { BosTokenId = tokenizer.BosTokenId, EosTokenIds = [tokenizer.EosTokenId!.Value], PadTokenId = tokenizer.PadTokenId };
        using var model = context.Factory.CreateForTraining(config, context.Seed);
        var resume = ResumableCheckpoint.TryLoad(layout.TrainingState, model);

        var trainingOptions = new TrainingOptions
        {
            MaxSteps = options.MaxSteps, LearningRate = options.LearningRate, WarmupSteps = options.WarmupSteps,
            WeightDecay = options.WeightDecay, MinLearningRateRatio = options.MinLearningRateRatio, SaveSteps = options.SaveSteps,
            LoggingSteps = options.LoggingSteps, EvalSteps = options.SaveSteps, Seed = (int)context.Seed,
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
        loop.OnCheckpoint = state => ResumableCheckpoint.Save(layout.TrainingState, model, state);
        loop.Run(epoch => BatchPlanner.Shuffled(train.Count, options.BatchSize, (int)context.Seed, epoch)
                .Select(batch => BatchCollator.Blocks(batch.Select(i => train[i]).ToList())).ToList(),
            eval, resume, context.CancellationToken);

        string partial = layout.Checkpoint + ".partial";
        CheckpointWriter.Save(model, partial, tokenizer);
        Cai.Models.IO.AtomicFile.ReplaceDirectory(partial, layout.Checkpoint);
        if (options.Export is { } export) CheckpointCopy.Replace(layout.Checkpoint, export);
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
